// Set comparison of two oracle-shaped documents, exactly as ../shared/tools/compare-oracle does it:
// tls_sni/quic_sni/http_host as (server_ip, name), dns_qname as the set of non-empty qnames, dns_answer as
// (qname, data) pairs; names lowercased without trailing dot, IP addresses normalised.

import { isIP } from 'node:net';
import type { OracleDoc } from '../../src/types.js';

export const CATEGORIES = ['dns_qname', 'dns_answer', 'tls_sni', 'quic_sni', 'http_host'] as const;
export type Category = (typeof CATEGORIES)[number];

function name(s: unknown): string {
  const t = String(s ?? '').trim().toLowerCase();
  return t.endsWith('.') && t.length > 1 ? t.slice(0, -1) : t;
}

function ip(s: unknown): string {
  const t = String(s ?? '').trim();
  if (isIP(t) === 6) return new URL(`http://[${t}]/`).hostname.slice(1, -1);
  return t;
}

function data(s: unknown): string {
  const t = String(s ?? '').trim();
  return isIP(t) !== 0 ? ip(t) : name(t);
}

export function sets(doc: Partial<OracleDoc>): Record<Category, Set<string>> {
  const dns = doc.dns ?? [];
  const key = (...parts: string[]) => parts.join(' | ');
  return {
    dns_qname: new Set(dns.map((d) => name(d.qname)).filter((q) => q !== '')),
    dns_answer: new Set(dns.flatMap((d) => (d.answers ?? []).map((a) => key(name(d.qname), data(a.data))))),
    tls_sni: new Set((doc.tls_sni ?? []).map((e) => key(ip(e.server_ip), name(e.sni)))),
    quic_sni: new Set((doc.quic_sni ?? []).map((e) => key(ip(e.server_ip), name(e.sni)))),
    http_host: new Set((doc.http_host ?? []).map((e) => key(ip(e.server_ip), name(e.host)))),
  };
}

export interface CategoryScore {
  oracle: number;
  candidate: number;
  matched: number;
  missing: string[];
  extra: string[];
}

export function score(oracle: Partial<OracleDoc>, candidate: Partial<OracleDoc>): Record<Category, CategoryScore> {
  const want = sets(oracle);
  const got = sets(candidate);
  const out = {} as Record<Category, CategoryScore>;
  for (const c of CATEGORIES) {
    const w = want[c];
    const g = got[c];
    out[c] = {
      oracle: w.size,
      candidate: g.size,
      matched: [...w].filter((x) => g.has(x)).length,
      missing: [...w].filter((x) => !g.has(x)).sort(),
      extra: [...g].filter((x) => !w.has(x)).sort(),
    };
  }
  return out;
}
