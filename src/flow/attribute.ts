// Names a flow from its evidence, strongest first: TLS SNI (or DTLS), QUIC SNI, HTTP Host, then the DNS answer
// the same client received for the server address before the flow started (with the CNAME chain kept).
// With ECH the SNI is only the outer (public) name: it still names the flow, and `ech` says so.
// An SNI that is an address literal (`1.2.3.4`, `[::1]`: tls_sni_ip_literal) names nothing: it stays in `sni` /
// `quic` as evidence but never becomes the hostname, so a weaker source (or nothing) names the flow.

import type { FlowRecord, NameSource } from '../types.js';
import { isIpLiteral } from '../decode/ip-format.js';

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
  const a: Attribution = {};
  attributeInto(a, e.sni, e.quic, e.http_host, e.dnsName, e.dnsChain, e.dnsSource);
  return a;
}

/**
 * attributeName() written straight into `a` (a flow record: no evidence or result object per flow), in the same
 * field order: hostname, name_source, then the DNS chain, kept as corroborating evidence whatever named the flow.
 */
export function attributeInto(a: Attribution, sni: string | undefined, quic: string | undefined, httpHost: string | undefined,
  dnsName: string | undefined, dnsChain: string[] | undefined, dnsSource: NameSource | undefined): void {
  if (sni && !isIpLiteral(sni)) {
    a.hostname = sni;
    a.name_source = 'tls_sni';
  } else if (quic && !isIpLiteral(quic)) {
    a.hostname = quic;
    a.name_source = 'quic_sni';
  } else if (httpHost) {
    a.hostname = httpHost;
    a.name_source = 'http_host';
  } else if (dnsName) {
    a.hostname = dnsName;
    a.name_source = dnsSource ?? 'dns';
  } else return;
  if (dnsName !== undefined) {
    a.dns_qname = dnsName;
    if (dnsChain !== undefined && dnsChain.length > 0) a.cname_chain = dnsChain;
  }
}

export type { FlowRecord };
