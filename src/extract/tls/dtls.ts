// DTLS 1.0/1.2 ClientHello in one UDP datagram (RFC 6347 §4.1 record header, §4.2.2 handshake header): finds the
// first handshake record whose message is a complete, unfragmented ClientHello and parses its body (with the
// cookie field) through client-hello.ts. Fragmented DTLS hellos are not reassembled (null). Pure, never throws.

import { type ClientHelloInfo, parseHelloBody } from './client-hello.js';

const CONTENT_HANDSHAKE = 22;
const DTLS_RECORD_HEADER = 13; // type(1) version(2) epoch(2) sequence(6) length(2)
const DTLS_HS_HEADER = 12; // type(1) length(3) message_seq(2) fragment_offset(3) fragment_length(3)

/** DTLS 1.0 (0xfeff), 1.2 (0xfefd), and OpenSSL's pre-RFC DTLS 1.0 (0x0100). */
function isDtlsVersion(v: number): boolean {
  return v === 0xfeff || v === 0xfefd || v === 0x0100;
}

/** Cheap probe: the datagram starts with a DTLS handshake record header. */
export function looksLikeDtls(buf: Buffer, off: number, len: number): boolean {
  if (len < DTLS_RECORD_HEADER + 1 || off < 0 || off + len > buf.length) return false;
  return buf[off] === CONTENT_HANDSHAKE && isDtlsVersion(buf.readUInt16BE(off + 1));
}

/** Parses the ClientHello of a DTLS datagram buf[off, end); null when there is none (or it is fragmented/bad). */
export function parseDtlsClientHello(buf: Buffer, off: number, end: number): ClientHelloInfo | null {
  if (off < 0 || end > buf.length) return null;
  let p = off;
  while (p + DTLS_RECORD_HEADER <= end) {
    const type = buf[p];
    if (!isDtlsVersion(buf.readUInt16BE(p + 1))) return null;
    const len = buf.readUInt16BE(p + 11);
    const body = p + DTLS_RECORD_HEADER;
    const bodyEnd = body + len;
    if (bodyEnd > end) return null;
    const epoch = buf.readUInt16BE(p + 3);
    if (type === CONTENT_HANDSHAKE && epoch === 0 && len >= DTLS_HS_HEADER) {
      if (buf[body] !== 1) return null; // first handshake message is not a ClientHello
      const msgLen = buf.readUIntBE(body + 1, 3);
      const fragOff = buf.readUIntBE(body + 6, 3);
      const fragLen = buf.readUIntBE(body + 9, 3);
      if (fragOff !== 0 || fragLen !== msgLen || DTLS_HS_HEADER + msgLen > len) return null;
      const r = parseHelloBody(buf, body + DTLS_HS_HEADER, body + DTLS_HS_HEADER + msgLen, true);
      return 'anomaly' in r ? null : r;
    }
    p = bodyEnd;
  }
  return null;
}
