// TLS record layer on the client's TCP byte stream (RFC 8446 §5.1, RFC 5246 §6.2): finds the first handshake
// message, reassembles it across records when it spans several, and hands the ClientHello body to
// client-hello.ts. Also recognises the SSLv2-compatible ClientHello (RFC 5246 Appendix E.2) and offers a cheap
// content probe. Pure: the caller owns the stream bytes; a hello inside one record is parsed in place, a hello
// spanning records is copied once into a module-level scratch buffer (parsing copies what it keeps).

import { MAX_TLS_HANDSHAKE_BYTES } from '../../limits.js';
import { type ClientHelloInfo, type ClientHelloAnomaly, parseClientHello, parseHelloBody, tlsVersionName } from './client-hello.js';

/** The hello is not complete yet: call again with more stream bytes. */
export const TLS_NEED_MORE = -1;
/** The stream does not start with a TLS handshake record (nor an SSLv2 ClientHello). */
export const TLS_NOT_TLS = -2;
/** TLS, but the first handshake message is not a ClientHello (a server stream, or HelloRequest...). */
export const TLS_NO_HELLO = -3;

const CONTENT_HANDSHAKE = 22;
const HS_CLIENT_HELLO = 1;
/** RFC 8446 §5.1: a record is at most 2^14 bytes of plaintext; allow 2^14 + 2048 like TLSCiphertext. */
const MAX_RECORD_LEN = (1 << 14) + 2048;

let scratch: Buffer | undefined;

/** Cheap probe on the first bytes of a stream: a TLS handshake record header or an SSLv2 ClientHello. */
export function looksLikeTls(buf: Buffer, off: number, len: number): boolean {
  if (len < 3 || off < 0 || off + len > buf.length) return false;
  const b0 = buf[off];
  if (b0 === CONTENT_HANDSHAKE) {
    if (buf[off + 1] !== 3 || buf[off + 2] > 4) return false;
    if (len >= 5 && buf.readUInt16BE(off + 3) > MAX_RECORD_LEN) return false;
    return len < 6 || buf[off + 5] <= 24; // a known handshake type (0..24)
  }
  return len >= 5 && isSslv2Hello(buf, off);
}

/** SSLv2 record with 2-byte header, msg type CLIENT-HELLO (1), version 2.0 or 3.x. */
function isSslv2Hello(buf: Buffer, off: number): boolean {
  return (buf[off] & 0x80) !== 0 && buf[off + 2] === 1 &&
    ((buf[off + 3] === 0 && buf[off + 4] === 2) || (buf[off + 3] === 3 && buf[off + 4] <= 4));
}

/**
 * Scans the client's stream bytes buf[off, end) (first byte of the TCP stream at `off`) for the ClientHello.
 * Returns TLS_NEED_MORE / TLS_NOT_TLS / TLS_NO_HELLO, the parsed info, or a ClientHelloAnomaly when the hello is
 * complete but malformed or exceeds MAX_TLS_HANDSHAKE_BYTES (`tls_client_hello_too_long`).
 * `truncated`: the stream ends at `end` for good (the rest of its datagram was never captured): a hello cut short
 * is parsed for what it holds (parseHelloBody's `partial`), anomaly `tls_client_hello_truncated`.
 */
export function scanTlsClientHello(buf: Buffer, off: number, end: number, truncated = false): number | ClientHelloInfo | ClientHelloAnomaly {
  if (off < 0 || end > buf.length || off >= end) return off >= end ? TLS_NEED_MORE : TLS_NOT_TLS;
  const avail = end - off;
  const b0 = buf[off];
  if (b0 !== CONTENT_HANDSHAKE) {
    if ((b0 & 0x80) !== 0) {
      if (avail < 5) return TLS_NEED_MORE;
      return isSslv2Hello(buf, off) ? scanSslv2(buf, off, end) : TLS_NOT_TLS;
    }
    return TLS_NOT_TLS;
  }
  if (avail >= 2 && buf[off + 1] !== 3) return TLS_NOT_TLS;
  if (avail >= 3 && buf[off + 2] > 4) return TLS_NOT_TLS;
  if (avail < 5) return TLS_NEED_MORE;
  const recLen = buf.readUInt16BE(off + 3);
  if (recLen > MAX_RECORD_LEN) return TLS_NOT_TLS;
  if (recLen === 0) return { anomaly: 'tls_empty_handshake_record' };
  // First handshake header byte is at off+5; need 4 header bytes, possibly across records.
  if (avail < 6) return TLS_NEED_MORE;
  if (buf[off + 5] !== HS_CLIENT_HELLO) return TLS_NO_HELLO;
  const recEnd = off + 5 + recLen;
  if (recLen >= 4 && recEnd <= end) {
    const hsLen = buf.readUIntBE(off + 6, 3);
    if (hsLen > MAX_TLS_HANDSHAKE_BYTES) return { anomaly: 'tls_client_hello_too_long' };
    if (4 + hsLen <= recLen) return parseClientHello(buf, off + 9, off + 9 + hsLen);
  }
  return scanFragmented(buf, off, end, truncated);
}

/** The handshake message spans records (or its header does, or the stream ends inside it): gather payloads into
 *  the scratch buffer. With `truncated`, running out of bytes parses what was gathered. */
function scanFragmented(buf: Buffer, off: number, end: number, truncated: boolean): number | ClientHelloInfo | ClientHelloAnomaly {
  if (scratch === undefined) scratch = Buffer.allocUnsafe(MAX_TLS_HANDSHAKE_BYTES + 4);
  const out = scratch;
  let have = 0; // bytes of the handshake message gathered
  let need = 4; // until the header is known
  let p = off;
  while (have < need) {
    if (p + 5 > end) return truncated && need > 4 ? parseHelloBody(out, 4, have, false, true) : TLS_NEED_MORE;
    if (buf[p] !== CONTENT_HANDSHAKE) {
      // An alert or ChangeCipherSpec in the middle of a handshake message is a protocol violation.
      return p === off ? TLS_NOT_TLS : { anomaly: 'tls_handshake_interleaved' };
    }
    if (buf[p + 1] !== 3) return { anomaly: 'tls_record_malformed' };
    const len = buf.readUInt16BE(p + 3);
    if (len > MAX_RECORD_LEN) return { anomaly: 'tls_record_too_long' };
    const body = p + 5;
    const avail = Math.min(end, body + len) - body;
    const take = Math.min(avail, need - have);
    buf.copy(out, have, body, body + take);
    have += take;
    if (need === 4 && have >= 4) {
      if (out[0] !== HS_CLIENT_HELLO) return TLS_NO_HELLO;
      const hsLen = out.readUIntBE(1, 3);
      if (hsLen > MAX_TLS_HANDSHAKE_BYTES) return { anomaly: 'tls_client_hello_too_long' };
      need = 4 + hsLen;
      // bytes of this record beyond the header that we did not take yet
      const more = Math.min(avail - take, need - have);
      buf.copy(out, have, body + take, body + take + more);
      have += more;
    }
    if (have >= need) break;
    if (body + len > end) return truncated && need > 4 ? parseHelloBody(out, 4, have, false, true) : TLS_NEED_MORE;
    p = body + len;
  }
  return parseClientHello(out, 4, need);
}

/** SSLv2-compatible ClientHello: no extensions, so no SNI; gives versions and the cipher count. */
function scanSslv2(buf: Buffer, off: number, end: number): number | ClientHelloInfo | ClientHelloAnomaly {
  const recLen = ((buf[off] & 0x7f) << 8) | buf[off + 1];
  if (off + 2 + recLen > end) return TLS_NEED_MORE;
  if (recLen < 9) return { anomaly: 'tls_sslv2_hello_malformed' };
  const version = buf.readUInt16BE(off + 3);
  const cipherSpecLen = buf.readUInt16BE(off + 5);
  const sidLen = buf.readUInt16BE(off + 7);
  const challengeLen = buf.readUInt16BE(off + 9);
  if (cipherSpecLen % 3 !== 0 || 9 + cipherSpecLen + sidLen + challengeLen > recLen) {
    return { anomaly: 'tls_sslv2_hello_malformed' };
  }
  return {
    serverNames: [],
    alpn: [],
    legacyVersion: version,
    versions: [tlsVersionName(version)],
    ech: false,
    cipherCount: cipherSpecLen / 3,
    extensionTypes: [],
    anomalies: [],
  };
}
