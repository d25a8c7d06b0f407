// Owns the IP -> ASN + organisation table of @ip-location-db/asn (`start,end,asn,org` lines sorted by start: IPv4
// as numbers, asn-ipv4-num.csv, ~412k lines; IPv6 as text, asn-ipv6.csv, ~103k), searched in place: a lookup
// bisects the file by byte offset, reading only the pages its ~25 probes touch (paged-file.ts), so nothing is
// parsed or cached before the first address (parsing the CSVs whole took 2 s of CPU; a cache of the parsed table
// cost 50 ms to load). The answer is the last line starting at or below the address, when it also ends at or
// above it (where two ranges overlap, the later one). Lines that do not parse are skipped.
// The bisection needs the file sorted by start: test/geo/asn-table.test.ts checks the embedded files are.
// A range found is remembered with the addresses it answers (from its start up to its end, and below the next line's
// start), so that the many addresses of one network are answered without bisecting again (GEO_ASN_CACHED_RANGES).

import { parseIpv4, parseIpv6 } from '../decode/ip-format.js';
import { GEO_ASN_CACHED_RANGES } from '../limits.js';
import { PagedFile } from './paged-file.js';

/** A range found: it answers every address in [start, end] below `next` (the next line's start; none at the end). */
interface FoundRange {
  start: Uint32Array;
  end: Uint32Array;
  next?: Uint32Array;
  answer: { asn: number; org?: string };
}

export class AsnTable {
  private readonly start = new Uint32Array(4);
  private readonly end = new Uint32Array(4);
  /** The last line parsed: its asn and organisation (parse() fills them). */
  private asn = 0;
  private orgText = '';
  private readonly found: FoundRange[] = [];

  private constructor(
    readonly family: 4 | 6,
    readonly file: string,
    /** The file's pages (tests read its counters). */
    readonly pages: PagedFile,
  ) {}

  /** The table of `csvPath` (throws when it cannot be opened). `maxPages`: pages kept in memory. */
  static open(family: 4 | 6, csvPath: string, maxPages?: number): AsnTable {
    return new AsnTable(family, csvPath, PagedFile.open(csvPath, maxPages));
  }

  /** The range holding the address (IPv4: `v4`; IPv6: `words`), or null. Throws when the file cannot be read. */
  find(v4: number, words: Uint32Array): { asn: number; org?: string } | null {
    const a = this.family === 4 ? Uint32Array.of(0, 0, 0, v4) : words;
    for (const r of this.found) {
      if (compare(r.start, a) <= 0 && compare(a, r.end) <= 0 && (r.next === undefined || compare(a, r.next) < 0)) return { ...r.answer };
    }
    // Invariant: the answer's line starts in [lo, hi); lo is 0 or a valid line starting at or below a.
    let lo = 0;
    let hi = this.pages.size;
    for (;;) {
      let s = this.lineAfter(lo + Math.floor((hi - lo) / 2));
      while (s < hi && !this.parse(s, false)) s = this.lineAfter(s); // a bad line: the next one decides
      if (s >= hi) break;
      if (compare(this.start, a) <= 0) lo = s;
      else hi = s;
    }
    // No valid line starts in the second half of [lo, hi): the few lines from lo on are the candidates.
    let hit = -1;
    for (let s = lo; s < hi; s = this.lineAfter(s)) {
      if (!this.parse(s, false)) continue;
      if (compare(this.start, a) > 0) break;
      hit = s;
    }
    if (hit < 0 || !this.parse(hit, true) || compare(this.end, a) < 0) return null;
    const found: FoundRange = { start: this.start.slice(), end: this.end.slice(), answer: { asn: this.asn, org: this.orgText || undefined } };
    let s = this.lineAfter(hit);
    while (s < this.pages.size && !this.parse(s, false)) s = this.lineAfter(s);
    if (s < this.pages.size) found.next = this.start.slice();
    if (this.found.length >= GEO_ASN_CACHED_RANGES) this.found.length = 0;
    this.found.push(found);
    return { ...found.answer };
  }

  close(): void {
    this.pages.close();
  }

  /** Where the first line after the one holding byte `off` starts (the file's size when none). */
  private lineAfter(off: number): number {
    for (let o = off; o < this.pages.size; ) {
      const p = this.pages.pageFrom(o);
      const i = this.pages.at;
      const nl = p.indexOf(10, i);
      if (nl >= 0) return o + (nl - i) + 1;
      o += p.length - i;
    }
    return this.pages.size;
  }

  /** Parses the line starting at `s` from its bytes: start, end and asn (the organisation too when `org`); false
   *  when it is no valid range line. */
  private parse(s: number, org: boolean): boolean {
    const e = this.lineAfter(s);
    const b = this.pages.span(s, e - s);
    const from = this.pages.at;
    let end = from + (e - s);
    if (end > from && b[end - 1] === 10) end--;
    if (end > from && b[end - 1] === 13) end--;
    const c1 = b.indexOf(44, from);
    if (c1 < 0 || c1 >= end || !this.bound(b, from, c1, this.start)) return false;
    const c2 = b.indexOf(44, c1 + 1);
    if (c2 < 0 || c2 >= end) return false;
    let c3 = b.indexOf(44, c2 + 1);
    if (c3 < 0 || c3 > end) c3 = end;
    if (c3 === c2 + 1 || !this.bound(b, c1 + 1, c2, this.end) || compare(this.end, this.start) < 0) return false;
    let asn = 0;
    for (let k = c2 + 1; k < c3; k++) {
      const d = b[k] - 48;
      if (d < 0 || d > 9) return false;
      asn = asn * 10 + d;
    }
    if (asn > 0xffffffff) return false;
    this.asn = asn;
    if (org) {
      let t = c3 < end ? b.toString('utf8', c3 + 1, end) : '';
      if (t.length >= 2 && t.startsWith('"') && t.endsWith('"')) t = t.slice(1, -1).replace(/""/g, '"');
      this.orgText = t;
    }
    return true;
  }

  /** Bytes [from, to) of `b` as an address of the table's family (IPv4: a number or a dotted quad) into `out`. */
  private bound(b: Buffer, from: number, to: number, out: Uint32Array): boolean {
    if (this.family === 6) return parseIpv6(b.toString('latin1', from, to), out);
    let v = to > from && to - from <= 10 ? 0 : -1;
    for (let k = from; k < to && v >= 0; k++) {
      const d = b[k] - 48;
      v = d < 0 || d > 9 ? -1 : v * 10 + d;
    }
    if (v < 0) v = parseIpv4(b.toString('latin1', from, to));
    out[3] = v;
    return v >= 0 && v <= 0xffffffff;
  }
}

/** -1, 0 or 1 as address words `x` compare with `y`. */
function compare(x: Uint32Array, y: Uint32Array): number {
  for (let k = 0; k < 4; k++) if (x[k] !== y[k]) return x[k] < y[k] ? -1 : 1;
  return 0;
}
