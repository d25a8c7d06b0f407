// DTLS 1.0/1.2 ClientHello (RFC 6347 §4.1 record header, §4.2.2 handshake header), parsed through
// client-hello.ts (with the cookie field): parseDtlsClientHello() for a hello whole in one datagram, and
// DtlsHelloAssembler for one fragmented over several records or datagrams (§4.2.3: fragment_offset and
// fragment_length within the message; large hellos, such as post-quantum key shares, no longer fit a datagram).
// Never throws.

import { MAX_TLS_HANDSHAKE_BYTES } from '../../limits.js';
import { u16be } from '../../decode/bytes.js';
import { CryptoStream } from '../quic/crypto-stream.js';
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

const HS_CLIENT_HELLO = 1;

/**
 * Reassembles one flow's ClientHello from its handshake fragments, in any order, duplicated or overlapping, across
 * records and datagrams. A ClientHello with a higher message_seq (the retry carrying the server's cookie) starts
 * over; fragments of another length than the message's first are ignored. Bounded by MAX_TLS_HANDSHAKE_BYTES.
 */
export class DtlsHelloAssembler {
  private seq = -1;
  private msgLen = 0;
  private stream: CryptoStream | null = null;
  /** Set when reassembly cannot succeed (hello too long, too fragmented): later datagrams are ignored. */
  failed = false;

  /** Adds one datagram buf[off, end); returns the ClientHello once every byte of it has arrived, else null. */
  add(buf: Buffer, off: number, end: number): ClientHelloInfo | null {
    if (this.failed || off < 0 || end > buf.length) return null;
    let p = off;
    while (p + DTLS_RECORD_HEADER <= end) {
      const type = buf[p];
      if (!isDtlsVersion(u16be(buf, p + 1))) return null;
      const body = p + DTLS_RECORD_HEADER;
      const bodyEnd = body + u16be(buf, p + 11);
      if (bodyEnd > end) return null;
      if (type === CONTENT_HANDSHAKE && u16be(buf, p + 3) === 0) {
        // A record may hold several handshake fragments.
        for (let h = body; h + DTLS_HS_HEADER <= bodyEnd; ) {
          const msgLen = (buf[h + 1] << 16) | (buf[h + 2] << 8) | buf[h + 3];
          const fragOff = (buf[h + 6] << 16) | (buf[h + 7] << 8) | buf[h + 8];
          const fragLen = (buf[h + 9] << 16) | (buf[h + 10] << 8) | buf[h + 11];
          const data = h + DTLS_HS_HEADER;
          if (data + fragLen > bodyEnd || fragOff + fragLen > msgLen) break; // malformed: the rest of this record too
          if (buf[h] === HS_CLIENT_HELLO) {
            const info = this.fragment(u16be(buf, h + 4), msgLen, fragOff, buf, data, fragLen);
            if (info !== null || this.failed) return info;
          }
          h = data + fragLen;
        }
      }
      p = bodyEnd;
    }
    return null;
  }

  private fragment(seq: number, msgLen: number, fragOff: number, buf: Buffer, data: number, fragLen: number): ClientHelloInfo | null {
    if (seq < this.seq) return null; // an older hello's retransmission
    if (seq > this.seq) {
      if (msgLen > MAX_TLS_HANDSHAKE_BYTES) {
        this.failed = true;
        return null;
      }
      this.seq = seq;
      this.msgLen = msgLen;
      this.stream = new CryptoStream();
    }
    const st = this.stream;
    if (st === null || msgLen !== this.msgLen) return null;
    if (st.add(fragOff, buf, data, fragLen) !== null) {
      this.failed = true; // more fragments than the range list holds
      return null;
    }
    if (st.contiguous() < msgLen) return null;
    const r = parseHelloBody(st.data, 0, msgLen, true);
    st.release();
    this.stream = null;
    if ('anomaly' in r) {
      this.failed = true;
      return null;
    }
    return r;
  }
}
