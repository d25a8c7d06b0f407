// A vendor's own networks (claims file `networks:`): is a flow's server address on one of them? By origin AS number,
// by AS organisation (the flow's `as_org`, compared case-insensitively after collapsing white space: exact names,
// no substring, so "Facebook, Inc." never matches "Facebook Payments Inc.") or by CIDR prefix (IPv4 and IPv6).
// Used only for flows that have no name at all (model-builder.ts): a named flow keeps name-based attribution.

import { parseCidr, parseIpv4, parseIpv6, prefixMatch128 } from '../decode/ip-format.js';
import type { VendorNetworks } from './claims.js';

const normOrg = (s: string): string => s.trim().replace(/\s+/g, ' ').toLowerCase();

export class VendorNetworkMatcher {
  private readonly asns: ReadonlySet<number>;
  private readonly orgs: ReadonlySet<string>;
  private readonly v4: { net: number; mask: number }[] = [];
  private readonly v6: { net: Uint32Array; bits: number }[] = [];
  private readonly words = new Uint32Array(4);

  constructor(networks: VendorNetworks | undefined) {
    this.asns = new Set(networks?.asns ?? []);
    this.orgs = new Set((networks?.orgs ?? []).map(normOrg));
    for (const p of networks?.prefixes ?? []) {
      const c = parseCidr(p);
      if (c === null) continue;
      if (c.family === 4) this.v4.push({ net: c.net, mask: c.bits === 0 ? 0 : ~(0xffffffff >>> c.bits) >>> 0 });
      else this.v6.push({ net: c.net, bits: c.bits });
    }
  }

  /** True when the claims file lists no network (nothing can match). */
  get empty(): boolean {
    return this.asns.size === 0 && this.orgs.size === 0 && this.v4.length === 0 && this.v6.length === 0;
  }

  /** True when the server address is on one of the vendor's networks. */
  matches(f: { server_ip: string; asn?: number; as_org?: string }): boolean {
    if (this.empty) return false;
    if (f.asn !== undefined && this.asns.has(f.asn)) return true;
    if (f.as_org !== undefined && this.orgs.has(normOrg(f.as_org))) return true;
    const v4 = parseIpv4(f.server_ip);
    if (v4 >= 0) {
      for (const p of this.v4) if (((v4 & p.mask) >>> 0) === p.net) return true;
      return false;
    }
    if (this.v6.length > 0 && parseIpv6(f.server_ip, this.words)) {
      for (const p of this.v6) if (prefixMatch128(this.words, p.net, p.bits)) return true;
    }
    return false;
  }
}
