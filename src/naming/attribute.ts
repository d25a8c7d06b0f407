// Names a flow from its evidence, strongest first: TLS SNI (or DTLS), QUIC SNI, HTTP Host, then the DNS answer
// the same client received for the server address before the flow started (with the CNAME chain kept).
// With ECH the SNI is only the outer (public) name: it still names the flow, and `ech` says so.

import type { FlowRecord, NameSource } from '../types.js';

export interface NameEvidence {
  sni?: string;
  quic?: string;
  http_host?: string;
  dnsName?: string;
  dnsChain?: string[];
  dnsSource?: NameSource;
}

export interface Attribution {
  hostname?: string;
  name_source?: NameSource;
  cname_chain?: string[];
  dns_qname?: string;
}

export function attributeName(e: NameEvidence): Attribution {
  if (e.sni) return withDns({ hostname: e.sni, name_source: 'tls_sni' }, e);
  if (e.quic) return withDns({ hostname: e.quic, name_source: 'quic_sni' }, e);
  if (e.http_host) return withDns({ hostname: e.http_host, name_source: 'http_host' }, e);
  if (e.dnsName) return withDns({ hostname: e.dnsName, name_source: e.dnsSource ?? 'dns' }, e);
  return {};
}

/** The DNS chain is kept as corroborating evidence whatever named the flow. */
function withDns(a: Attribution, e: NameEvidence): Attribution {
  if (e.dnsName !== undefined) {
    a.dns_qname = e.dnsName;
    if (e.dnsChain !== undefined && e.dnsChain.length > 0) a.cname_chain = e.dnsChain;
  }
  return a;
}

export type { FlowRecord };
