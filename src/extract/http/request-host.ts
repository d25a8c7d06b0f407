// Owns finding the Host of every HTTP/1.x request (RFC 9112 3, 7.2) in the client-to-server byte stream of a
// TCP connection: request line with any registered method (incl. WebDAV, RFC 4918 and the IANA method
// registry), the first Host header (name case-insensitive, whitespace tolerant), bodies skipped by
// Content-Length or a complete chunked encoding so pipelined / keep-alive requests each give their Host
// (tcpflow test4.pcap: 33 requests over IPv6). Host text is normalised like the tshark oracle's http_host():
// lowercased, IPv6 brackets and a single ":port" removed, trailing dot dropped. A Host holding control bytes (CR,
// LF, NUL, any other C0 or DEL: a bare CR or a smuggled header, RFC 9112 2.2) is not reported: it is counted
// (httpScan.controlHosts; anomaly `http_host_control_chars` on the flow) and never names a flow. Pure; never throws.
import { MAX_HTTP_HEAD_BYTES } from '../../limits.js';

/** The bytes so far are the beginning of a request head: call again with more. */
export const HTTP_NEED_MORE = -1;
/** The bytes do not start with an HTTP/1.x request. */
export const HTTP_NOT_HTTP = -2;
/** A request head passed MAX_HTTP_HEAD_BYTES without ending (anomaly `http_head_too_long`). */
export const HTTP_HEAD_TOO_LONG = -3;

export type HostSink = (host: string, method: string, relOffset: number) => void;

/** IANA HTTP method registry (2024) plus methods tshark's HTTP dissector recognises. */
const METHODS: ReadonlySet<string> = new Set([
  'GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH',
  'ACL', 'BASELINE-CONTROL', 'BIND', 'CHECKIN', 'CHECKOUT', 'COPY', 'LABEL', 'LINK', 'LOCK', 'MERGE',
  'MKACTIVITY', 'MKCALENDAR', 'MKCOL', 'MKREDIRECTREF', 'MKWORKSPACE', 'MOVE', 'ORDERPATCH', 'PRI',
  'PROPFIND', 'PROPPATCH', 'REBIND', 'REPORT', 'SEARCH', 'UNBIND', 'UNCHECKOUT', 'UNLINK', 'UNLOCK',
  'UPDATE', 'UPDATEREDIRECTREF', 'VERSION-CONTROL', 'QUERY',
  'NOTIFY', 'SUBSCRIBE', 'UNSUBSCRIBE', 'M-SEARCH', 'POLL', 'BCOPY', 'BDELETE', 'BMOVE', 'BPROPFIND',
  'BPROPPATCH', 'X-MS-ENUMATTS', 'PURGE', 'RPC_IN_DATA', 'RPC_OUT_DATA', 'RPC_CONNECT',
]);
const MAX_METHOD_LEN = 20;

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const HT = 0x09;
const COLON = 0x3a;

/** True when the bytes start with a known method followed by a space (enough to route a flow to this scanner). */
export function looksLikeHttpRequest(buf: Buffer, off: number, len: number): boolean {
  const end = Math.min(off + len, buf.length);
  return off >= 0 && methodLen(buf, off, end) > 0;
}

/** Set by every scanHttpRequests() call: body bytes of the last request that continue past the buffer, which the
 *  caller must skip before scanning again (HttpRequestStream does this). Read it at once. */
export const httpScan = { bodyRemaining: 0, controlHosts: 0 };

/**
 * Scans complete request heads from buf[off, off+len) and calls onHost(host, method, relOffset) for each request
 * that has a non-empty Host (relOffset: request start minus `off`). Returns the bytes consumed (1..len); when the
 * last request's Content-Length body continues past the buffer, the whole buffer counts as consumed and
 * httpScan.bodyRemaining says how many further stream bytes belong to that body. Returns HTTP_NEED_MORE /
 * HTTP_NOT_HTTP / HTTP_HEAD_TOO_LONG when no request was completed. A chunked body not complete in the buffer ends
 * the scan after its head (the next call then reports HTTP_NOT_HTTP).
 */
export function scanHttpRequests(buf: Buffer, off: number, len: number, onHost: HostSink): number {
  httpScan.bodyRemaining = 0;
  httpScan.controlHosts = 0;
  const end = Math.min(off + Math.max(len, 0), buf.length);
  if (off < 0) return HTTP_NOT_HTTP;
  let p = off;
  while (p < end) {
    const r = scanOne(buf, p, end, off, onHost);
    if (r < 0) return p === off ? r : p - off;
    p = r;
  }
  if (p === off) return HTTP_NEED_MORE;
  if (p > end) {
    httpScan.bodyRemaining = p - end;
    return end - off;
  }
  return p - off;
}

/**
 * One client direction of a TCP connection carrying HTTP/1.x: scanHttpRequests plus the body bytes still to skip,
 * so it fits a stream consumer that returns 0..len consumed (flow/stream.ts StreamConsumer). feed() returns the
 * bytes consumed (0 = call again with more), or HTTP_NOT_HTTP / HTTP_HEAD_TOO_LONG to stop reading this direction.
 */
export class HttpRequestStream {
  private skip = 0;
  /** Requests whose Host was reported. */
  requests = 0;
  /** Hosts holding control bytes, not reported (anomaly `http_host_control_chars`). */
  controlHosts = 0;

  feed(buf: Buffer, off: number, len: number, onHost: HostSink): number {
    const s = Math.min(this.skip, Math.max(len, 0));
    this.skip -= s;
    if (s === len) return len;
    const r = scanHttpRequests(buf, off + s, len - s, onHost);
    this.controlHosts += httpScan.controlHosts;
    if (r === HTTP_NEED_MORE) return s;
    if (r < 0) return r;
    this.skip = httpScan.bodyRemaining;
    return s + r;
  }

  /** Bytes were lost: whatever body was being skipped is gone; scanning restarts at the next request line. */
  gap(): void {
    this.skip = 0;
  }
}

/** Results of parsing one head (module-level scratch, read at once). */
let hostStart = -1;
let hostEnd = -1;
let contentLength = 0;
let chunked = false;

/** One request at p: returns the stream offset after it (maybe > end), or a negative code. */
function scanOne(buf: Buffer, p: number, end: number, base: number, onHost: HostSink): number {
  const mlen = methodLen(buf, p, end);
  if (mlen === 0) return HTTP_NOT_HTTP;
  if (mlen < 0) return HTTP_NEED_MORE;
  const limit = Math.min(end, p + MAX_HTTP_HEAD_BYTES);
  // Request line: METHOD SP target SP HTTP/1.x
  const le = buf.indexOf(LF, p, 'latin1');
  if (le < 0 || le >= limit) return end - p >= MAX_HTTP_HEAD_BYTES ? HTTP_HEAD_TOO_LONG : HTTP_NEED_MORE;
  if (!requestLineOk(buf, p + mlen, le)) return HTTP_NOT_HTTP;
  hostStart = -1;
  hostEnd = -1;
  contentLength = 0;
  chunked = false;
  let ls = le + 1;
  let headEnd = -1;
  while (ls < limit) {
    const e = buf.indexOf(LF, ls, 'latin1');
    if (e < 0 || e >= limit) break;
    const ce = e > ls && buf[e - 1] === CR ? e - 1 : e;
    if (ce === ls) {
      headEnd = e + 1;
      break;
    }
    headerLine(buf, ls, ce);
    ls = e + 1;
  }
  if (headEnd < 0) return end - p >= MAX_HTTP_HEAD_BYTES ? HTTP_HEAD_TOO_LONG : HTTP_NEED_MORE;
  if (hostStart >= 0) {
    if (hasControlBytes(buf, hostStart, hostEnd)) httpScan.controlHosts++;
    else {
      const host = normaliseHost(buf.toString('latin1', hostStart, hostEnd));
      if (host !== '') onHost(host, buf.toString('latin1', p, p + mlen), p - base);
    }
  }
  if (chunked) {
    const after = skipChunks(buf, headEnd, end);
    return after < 0 ? Math.max(headEnd, end) : after;
  }
  return headEnd + contentLength;
}

/** Any C0 control byte (tab included: leading and trailing ones were trimmed) or DEL in buf[s, e). */
function hasControlBytes(buf: Buffer, s: number, e: number): boolean {
  for (let i = s; i < e; i++) if (buf[i] < 0x20 || buf[i] === 0x7f) return true;
  return false;
}

/** Length of a known method at p followed by SP; -1 when the bytes end inside a possible method; 0 if none. */
function methodLen(buf: Buffer, p: number, end: number): number {
  let i = p;
  while (i < end && i - p <= MAX_METHOD_LEN) {
    const c = buf[i];
    if (c === SP) {
      return i > p && METHODS.has(buf.toString('latin1', p, i)) ? i - p : 0;
    }
    if (!((c >= 0x41 && c <= 0x5a) || c === 0x2d || c === 0x5f)) return 0;
    i++;
  }
  return i - p > MAX_METHOD_LEN ? 0 : -1;
}

/** After the method: SP target SP "HTTP/" digit "." digit, then optional CR. */
function requestLineOk(buf: Buffer, sp: number, le: number): boolean {
  let e = le;
  if (e > sp && buf[e - 1] === CR) e--;
  // "HTTP/1.1" is 8 bytes; need " x HTTP/1.1" at least.
  if (e - sp < 11) return false;
  const v = e - 8;
  return buf[v - 1] === SP && buf[v] === 0x48 && buf[v + 1] === 0x54 && buf[v + 2] === 0x54 && buf[v + 3] === 0x50 &&
    buf[v + 4] === 0x2f && buf[v + 5] >= 0x30 && buf[v + 5] <= 0x39 && buf[v + 6] === 0x2e &&
    buf[v + 7] >= 0x30 && buf[v + 7] <= 0x39;
}

/** One header line [ls, ce): records Host (first only), Content-Length and Transfer-Encoding: chunked. */
function headerLine(buf: Buffer, ls: number, ce: number): void {
  if (buf[ls] === SP || buf[ls] === HT) return; // obs-fold continuation
  const colon = buf.indexOf(COLON, ls, 'latin1');
  if (colon < 0 || colon >= ce) return;
  let ne = colon;
  while (ne > ls && (buf[ne - 1] === SP || buf[ne - 1] === HT)) ne--;
  let vs = colon + 1;
  let ve = ce;
  while (vs < ve && (buf[vs] === SP || buf[vs] === HT)) vs++;
  while (ve > vs && (buf[ve - 1] === SP || buf[ve - 1] === HT)) ve--;
  if (nameIs(buf, ls, ne, 'host')) {
    if (hostStart < 0) {
      hostStart = vs;
      hostEnd = ve;
    }
  } else if (nameIs(buf, ls, ne, 'content-length')) {
    let n = 0;
    for (let i = vs; i < ve; i++) {
      const d = buf[i] - 0x30;
      if (d < 0 || d > 9) {
        n = 0;
        break;
      }
      n = n * 10 + d;
      if (n > Number.MAX_SAFE_INTEGER / 10) break;
    }
    contentLength = n;
  } else if (nameIs(buf, ls, ne, 'transfer-encoding')) {
    chunked = buf.toString('latin1', vs, ve).toLowerCase().includes('chunked');
  }
}

function nameIs(buf: Buffer, s: number, e: number, lower: string): boolean {
  if (e - s !== lower.length) return false;
  for (let i = 0; i < lower.length; i++) {
    if ((buf[s + i] | 0x20) !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/** Offset after a complete chunked body (RFC 9112 7.1) starting at p, or -1 when it is not all in the buffer. */
function skipChunks(buf: Buffer, p: number, end: number): number {
  for (;;) {
    const le = buf.indexOf(LF, p, 'latin1');
    if (le < 0 || le >= end) return -1;
    let size = 0;
    let digits = 0;
    for (let i = p; i < le; i++) {
      const c = buf[i] | 0x20;
      const d = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x61 + 10 : -1;
      if (d < 0) break;
      size = size * 16 + d;
      if (++digits > 12) return -1;
    }
    if (digits === 0) return -1;
    if (size === 0) {
      // Trailer section ends with an empty line.
      let ls = le + 1;
      for (;;) {
        const e = buf.indexOf(LF, ls, 'latin1');
        if (e < 0 || e >= end) return -1;
        if (e === ls || (e === ls + 1 && buf[ls] === CR)) return e + 1;
        ls = e + 1;
      }
    }
    p = le + 1 + size;
    if (p >= end) return -1;
    if (buf[p] === CR) p++;
    if (p >= end || buf[p] !== LF) return -1;
    p++;
  }
}

/** The oracle's http_host(): trim, lowercase, strip [IPv6] brackets or a single ":port", drop trailing dots. */
export function normaliseHost(raw: string): string {
  let h = raw.trim().toLowerCase();
  if (h.startsWith('[')) {
    const close = h.indexOf(']');
    h = close < 0 ? h.slice(1) : h.slice(1, close);
  } else {
    const c = h.indexOf(':');
    if (c >= 0 && h.indexOf(':', c + 1) < 0) h = h.slice(0, c);
  }
  h = h.trim();
  if (h === '.' || h === '<root>') return '';
  while (h.length > 1 && h.endsWith('.')) h = h.slice(0, -1);
  return h;
}
