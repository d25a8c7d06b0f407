// Owns the IP -> ASN + organisation table of @ip-location-db/asn (`start,end,asn,org` lines sorted by start: IPv4
// as numbers, asn-ipv4-num.csv, ~412k lines; IPv6 as text, asn-ipv6.csv, ~103k), searched in place: a lookup
// bisects the file by byte offset, reading only the pages its ~25 probes touch (paged-file.ts), so nothing is
// parsed or cached before the first address (parsing the CSVs whole took 2 s of CPU; a cache of the parsed table
// cost 50 ms to load). The answer is the last line starting at or below the address, when it also ends at or
// above it (where two ranges overlap, the later one). Lines that do not parse are skipped.
// The bisection needs the file sorted by start: test/geo/asn-table.test.ts checks the embedded files are.

import { parseIpv4, parseIpv6 } from './address.js';
import { PagedFile } from './paged-file.js';

export class AsnTable {
  private readonly start = new Uint32Array(4);
  private readonly end = new Uint32Array(4);
  /** The last line parsed: its asn and where its organisation begins. */
  private asn = 0;
  private orgText = '';

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
    const size = this.pages.size;
    // Invariant: the answer's line starts in [lo, hi); lo is 0 or a line whose start is <= a.
    let lo = 0;
    let hi = size;
    for (;;) {
      const mid = lo + Math.floor((hi - lo) / 2);
      let s = this.lineAfter(mid);
      while (s < hi && !this.parse(s)) s = this.lineAfter(s); // a bad line: the next one decides
      if (s >= hi) break;
      if (compare(this.start, a) <= 0) lo = s;
      else hi = s;
    }
    // No line starts in (mid, hi): the few lines from lo on are the candidates.
    let hit = -1;
    for (let s = lo; s < hi; s = this.lineAfter(s)) {
      if (!this.parse(s)) continue;
      if (compare(this.start, a) > 0) break;
      hit = s;
    }
    if (hit < 0 || !this.parse(hit) || compare(this.end, a) < 0) return null;
    return { asn: this.asn, org: this.orgText || undefined };
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

  /** Parses the line starting at `s` into start, end, asn and org; false when it is not a valid range line. */
  private parse(s: number): boolean {
    const e = this.lineAfter(s);
    const b = this.pages.span(s, e - s);
    let line = b.toString('utf8', this.pages.at, this.pages.at + (e - s));
    line = line.endsWith('\r\n') ? line.slice(0, -2) : line.endsWith('\n') ? line.slice(0, -1) : line;
    const [a, z, asnText] = line.split(',', 3);
    const asn = Number(asnText);
    if (!this.bound(a, this.start) || !this.bound(z, this.end) || compare(this.end, this.start) < 0 || !/^\d+$/.test(asnText ?? '') || asn > 0xffffffff) return false;
    let org = line.slice(a.length + z.length + asnText.length + 3);
    if (org.length >= 2 && org.startsWith('"') && org.endsWith('"')) org = org.slice(1, -1).replace(/""/g, '"');
    this.asn = asn;
    this.orgText = org;
    return true;
  }

  /** An address of the table's family (IPv4 as a number or a dotted quad) into `out` (IPv4 in the last word). */
  private bound(text: string | undefined, out: Uint32Array): boolean {
    if (text === undefined) return false;
    if (this.family === 6) return parseIpv6(text, out);
    const v = /^\d{1,10}$/.test(text) ? Number(text) : parseIpv4(text);
    out[3] = v;
    return v >= 0 && v <= 0xffffffff;
  }
}

/** -1, 0 or 1 as address words `x` compare with `y`. */
function compare(x: Uint32Array, y: Uint32Array): number {
  for (let k = 0; k < 4; k++) if (x[k] !== y[k]) return x[k] < y[k] ? -1 : 1;
  return 0;
}
