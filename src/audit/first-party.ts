// First-party matching: does a flow's name (or any name it was reached through) belong to one of the
// vendor's registrable domains? Uses the public suffix list via tldts (private suffixes included, so
// `vendor.appspot.com` is its own registrable domain), plus a suffix match for entries listed below
// the registrable level (`sync.vendor.com`). Also says when a flow's real name is hidden (ECH, DoH, none).

import { isIP } from 'node:net';
import { getDomain } from 'tldts';
import type { FlowRecord } from '../types.js';
import type { HiddenReason } from './report-model.js';

/** Well-known DNS-over-HTTPS / DNS-over-TLS / DoQ resolver names (flows to them on 443/853 hide DNS). */
const DOH_NAMES: ReadonlySet<string> = new Set([
  'dns.google', 'dns.google.com', 'cloudflare-dns.com', 'mozilla.cloudflare-dns.com', 'one.one.one.one',
  'security.cloudflare-dns.com', 'family.cloudflare-dns.com', 'dns.quad9.net', 'dns9.quad9.net', 'dns10.quad9.net',
  'dns11.quad9.net', 'doh.opendns.com', 'doh.familyshield.opendns.com', 'dns.adguard.com', 'dns.adguard-dns.com',
  'dns.nextdns.io', 'doh.cleanbrowsing.org', 'dns.alidns.com', 'doh.pub', 'dns.pub', 'doh.360.cn',
  'chrome.cloudflare-dns.com', 'dns.mullvad.net', 'doh.dns.sb', 'dns.twnic.tw',
]);
/** Well-known public resolver addresses (DoH/DoT when reached on 443/853). */
const DOH_IPS: ReadonlySet<string> = new Set([
  '1.1.1.1', '1.0.0.1', '8.8.8.8', '8.8.4.4', '9.9.9.9', '149.112.112.112', '208.67.222.222', '208.67.220.220',
  '94.140.14.14', '94.140.15.15', '223.5.5.5', '223.6.6.6', '1.12.12.12', '120.53.53.53',
  '2606:4700:4700::1111', '2606:4700:4700::1001', '2001:4860:4860::8888', '2001:4860:4860::8844',
  '2620:fe::fe', '2620:fe::9', '2a10:50c0::ad1:ff', '2a10:50c0::ad2:ff',
]);
const ENCRYPTED_DNS_PORTS: ReadonlySet<number> = new Set([443, 853]);

/** Every name the flow is known by: hostname, SNI, QUIC SNI, HTTP Host, DNS query and CNAME chain (address literals left out). */
export function flowNames(f: Pick<FlowRecord, 'hostname' | 'sni' | 'quic' | 'http_host' | 'dns_qname' | 'cname_chain'>): string[] {
  const out: string[] = [];
  const add = (n: string | undefined): void => {
    if (n === undefined || n === '') return;
    const v = n.toLowerCase().replace(/\.$/, '');
    // An address literal (an SNI of `1.2.3.4` or `[::1]`, a Host of an address) names nothing: a flow known only by
    // one is unnamed (hidden `no_name`), never first-party by it.
    if (isIP(v.replace(/^\[(.*)\]$/, '$1')) !== 0) return;
    if (!out.includes(v)) out.push(v);
  };
  add(f.hostname);
  add(f.sni);
  add(f.quic);
  add(f.http_host?.replace(/:\d+$/, ''));
  add(f.dns_qname);
  if (f.cname_chain) for (const n of f.cname_chain) add(n);
  return out;
}

/** Registrable domain (public suffix list, private suffixes included) or undefined for IPs and bare suffixes. */
export function registrableDomain(name: string): string | undefined {
  return getDomain(name, { allowPrivateDomains: true }) ?? undefined;
}

export class FirstPartyMatcher {
  private readonly domains: ReadonlySet<string>;
  private readonly entries: readonly string[];

  constructor(firstParty: readonly string[]) {
    this.entries = firstParty.map((d) => d.toLowerCase().replace(/\.$/, ''));
    this.domains = new Set(this.entries);
  }

  /** True when `name` is, or is under, one of the vendor's domains. */
  matchesName(name: string): boolean {
    const n = name.toLowerCase().replace(/\.$/, '');
    const reg = registrableDomain(n);
    if (reg !== undefined && this.domains.has(reg)) return true;
    for (const e of this.entries) if (n === e || n.endsWith('.' + e)) return true;
    return false;
  }

  /** True when any name of the flow (CNAME chain included) is first-party. */
  matchesFlow(f: Parameters<typeof flowNames>[0]): boolean {
    for (const n of flowNames(f)) if (this.matchesName(n)) return true;
    return false;
  }
}

/** True for a flow to a known encrypted-DNS resolver (DoH/DoT/DoQ): it hides the names of later flows. */
export function isEncryptedDns(f: Pick<FlowRecord, 'server_ip' | 'server_port' | 'hostname' | 'sni' | 'quic'>): boolean {
  if (!ENCRYPTED_DNS_PORTS.has(f.server_port)) return false;
  if (DOH_IPS.has(f.server_ip)) return true;
  for (const n of [f.hostname, f.sni, f.quic]) if (n !== undefined && DOH_NAMES.has(n.toLowerCase())) return true;
  return false;
}

/** Why the flow's real name is hidden, or undefined when it has a usable name. */
export function hiddenReason(f: Parameters<typeof flowNames>[0] & Parameters<typeof isEncryptedDns>[0] & Pick<FlowRecord, 'ech'>): HiddenReason | undefined {
  if (isEncryptedDns(f)) return 'doh';
  if (f.ech === true) return 'ech';
  if (flowNames(f).length === 0) return 'no_name';
  return undefined;
}

/** Ports of local infrastructure (DNS, NTP, DHCP, mDNS, LLMNR, SSDP): never user data, never "hidden". */
const INFRA_PORTS: ReadonlySet<number> = new Set([53, 67, 68, 123, 137, 138, 1900, 5353, 5355]);

export function isInfrastructure(f: Pick<FlowRecord, 'server_port'>): boolean {
  return INFRA_PORTS.has(f.server_port);
}
