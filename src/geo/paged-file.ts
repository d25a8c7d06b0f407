// Owns reading a large data file by the pages a lookup touches (the mmdb files, mmdb-file.ts; the ASN CSVs,
// asn-table.ts): fixed-size pages read with fs.readSync at their offsets into a bounded cache (the oldest page is
// dropped when it is full). Every read goes through span(), which loads the pages holding the bytes asked for
// first; nothing outside [0, size) is ever read (asking for it throws).

import fs from 'node:fs';
import { GEO_PAGE_BYTES, GEO_PAGE_CACHE_PAGES } from '../limits.js';

/** Pages allocated at once. */
const SLAB_PAGES = 16;

export class PagedFile {
  /** Pages read so far, by page number, oldest first. */
  private readonly pages = new Map<number, Buffer>();
  private lastNo = -1;
  private lastPage: Buffer = Buffer.alloc(0);
  /** Index, in the Buffer span() returned last, of the first byte asked for. */
  at = 0;
  /** Pages read from the file since it was opened (the tests and the bench count them). */
  pagesRead = 0;
  private slab: Buffer = Buffer.alloc(0);
  private slabUsed = SLAB_PAGES;

  private constructor(
    private fd: number,
    readonly size: number,
    private readonly maxPages: number,
  ) {}

  /** Opens `file` (throws when it cannot); `maxPages`: pages kept in memory. */
  static open(file: string, maxPages = GEO_PAGE_CACHE_PAGES): PagedFile {
    const fd = fs.openSync(file, 'r');
    try {
      return new PagedFile(fd, fs.fstatSync(fd).size, Math.max(1, Math.floor(maxPages)));
    } catch (e) {
      fs.closeSync(fd);
      throw e;
    }
  }

  /** Pages held now (never more than maxPages). */
  get pagesHeld(): number {
    return this.pages.size;
  }

  /**
   * A Buffer holding bytes [off, off + len) of the file from index `this.at`: the page itself when they lie in one
   * (valid until the next call: a full cache reuses the oldest page's memory), else a copy. Throws when they are
   * not all inside the file.
   */
  span(off: number, len: number): Buffer {
    if (!(off >= 0 && len >= 0 && off + len <= this.size)) throw new Error(`offset ${off} (+${len}) outside the file`);
    const no = Math.floor(off / GEO_PAGE_BYTES);
    const p = this.page(no);
    const inPage = off - no * GEO_PAGE_BYTES;
    if (inPage + len <= p.length) {
      this.at = inPage;
      return p;
    }
    const out = Buffer.allocUnsafe(len);
    for (let done = 0; done < len; ) {
      const o = off + done;
      const q = this.page(Math.floor(o / GEO_PAGE_BYTES));
      const from = o % GEO_PAGE_BYTES;
      done += q.copy(out, done, from, Math.min(q.length, from + len - done));
    }
    this.at = 0;
    return out;
  }

  /** The rest of the page holding byte `off` (from index `this.at`), for scans. */
  pageFrom(off: number): Buffer {
    return this.span(off, Math.min(this.size - off, GEO_PAGE_BYTES - (off % GEO_PAGE_BYTES)));
  }

  close(): void {
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
    this.pages.clear();
    this.lastNo = -1;
  }

  private page(no: number): Buffer {
    if (no === this.lastNo) return this.lastPage;
    let p = this.pages.get(no);
    if (p === undefined) {
      if (this.fd < 0) throw new Error('file closed');
      const start = no * GEO_PAGE_BYTES;
      const len = Math.min(GEO_PAGE_BYTES, this.size - start);
      // Memory for the page: the oldest page's when the cache is full, else the next page of a slab (one
      // ArrayBuffer per 16 pages rather than one per page).
      let mem: Buffer;
      if (this.pages.size >= this.maxPages) {
        const oldest = this.pages.keys().next().value as number;
        mem = this.pages.get(oldest) as Buffer;
        this.pages.delete(oldest);
        if (oldest === this.lastNo) this.lastNo = -1;
        mem = Buffer.from(mem.buffer, mem.byteOffset, GEO_PAGE_BYTES);
      } else {
        if (this.slabUsed === SLAB_PAGES) {
          this.slab = Buffer.allocUnsafeSlow(SLAB_PAGES * GEO_PAGE_BYTES);
          this.slabUsed = 0;
        }
        mem = this.slab.subarray(this.slabUsed * GEO_PAGE_BYTES, ++this.slabUsed * GEO_PAGE_BYTES);
      }
      p = mem.subarray(0, len);
      for (let got = 0; got < len; ) {
        const n = fs.readSync(this.fd, p, got, len - got, start + got);
        if (n <= 0) throw new Error(`file shorter than it was (offset ${start + got})`);
        got += n;
      }
      this.pages.set(no, p);
      this.pagesRead++;
    }
    this.lastNo = no;
    this.lastPage = p;
    return p;
  }
}
