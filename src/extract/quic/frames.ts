// Frame walkers for decrypted Initial packet payloads. IETF framing (RFC 9000 §12.4 Table 3: frames allowed in
// Initial packets are PADDING, PING, ACK, CRYPTO and CONNECTION_CLOSE 0x1c), and Google's framing of T050/T051
// (gQUIC frame types, CRYPTO as type 0x08: Wireshark packet-gquic.c FT_CRYPTO). CRYPTO data goes to a
// CryptoStream; everything else is skipped. Pure: returns null or an anomaly code (constant strings, nothing
// allocated).

import { readVarint, varintLength } from './header.js';
import type { CryptoStream } from './crypto-stream.js';
import type { FlowAnomaly } from '../../anomalies.js';

const F_PADDING = 0x00;
const F_PING = 0x01;
const F_ACK = 0x02;
const F_ACK_ECN = 0x03;
const F_CRYPTO = 0x06;
const F_CONNECTION_CLOSE = 0x1c;
const F_CONNECTION_CLOSE_APP = 0x1d;

/** Upper bound on ACK ranges walked in one frame (a 1200-byte packet holds at most ~600). */
const MAX_ACK_RANGES = 1024;

/** Reads varints at p; returns the new offset or -1 when truncated. Value lands in `lastVarint`. */
let lastVarint = 0;
function vi(buf: Buffer, p: number, end: number): number {
  if (p >= end) return -1;
  const n = varintLength(buf[p]);
  if (p + n > end) return -1;
  lastVarint = readVarint(buf, p);
  return p + n;
}

/**
 * Walks the frames of buf[off, end) and feeds CRYPTO frames to `crypto`. Returns null when the payload was walked
 * to its end, else an anomaly code: `quic_frame_truncated`, `quic_unexpected_frame`, or the CryptoStream's code.
 */
export function walkInitialFrames(buf: Buffer, off: number, end: number, crypto: CryptoStream): FlowAnomaly | null {
  let p = off;
  while (p < end) {
    const type = buf[p];
    if (type === F_PADDING) {
      p++;
      while (p < end && buf[p] === 0) p++;
      continue;
    }
    if (type === F_PING) { p++; continue; }
    if (type === F_CRYPTO) {
      p = vi(buf, p + 1, end); if (p < 0) return 'quic_frame_truncated';
      const cOff = lastVarint;
      p = vi(buf, p, end); if (p < 0) return 'quic_frame_truncated';
      const cLen = lastVarint;
      if (cLen > end - p) return 'quic_frame_truncated';
      const err = crypto.add(cOff, buf, p, cLen);
      if (err !== null) return err;
      p += cLen;
      continue;
    }
    if (type === F_ACK || type === F_ACK_ECN) {
      p = vi(buf, p + 1, end); if (p < 0) return 'quic_frame_truncated'; // largest acknowledged
      p = vi(buf, p, end); if (p < 0) return 'quic_frame_truncated'; // ack delay
      p = vi(buf, p, end); if (p < 0) return 'quic_frame_truncated'; // range count
      const ranges = lastVarint;
      if (ranges > MAX_ACK_RANGES) return 'quic_frame_truncated';
      p = vi(buf, p, end); if (p < 0) return 'quic_frame_truncated'; // first range
      for (let i = 0; i < ranges * 2; i++) {
        p = vi(buf, p, end); if (p < 0) return 'quic_frame_truncated';
      }
      if (type === F_ACK_ECN) {
        for (let i = 0; i < 3; i++) {
          p = vi(buf, p, end); if (p < 0) return 'quic_frame_truncated';
        }
      }
      continue;
    }
    if (type === F_CONNECTION_CLOSE || type === F_CONNECTION_CLOSE_APP) {
      p = vi(buf, p + 1, end); if (p < 0) return 'quic_frame_truncated'; // error code
      if (type === F_CONNECTION_CLOSE) {
        p = vi(buf, p, end); if (p < 0) return 'quic_frame_truncated'; // frame type
      }
      p = vi(buf, p, end); if (p < 0) return 'quic_frame_truncated';
      if (lastVarint > end - p) return 'quic_frame_truncated';
      p += lastVarint;
      continue;
    }
    return 'quic_unexpected_frame';
  }
  return null;
}

/** gQUIC frame types a client's first Initials of T050/T051 carry (Wireshark packet-gquic.c). */
const G_PADDING = 0x00;
const G_PING = 0x07;
const G_CRYPTO = 0x08;

/**
 * Walks the frames of a T050/T051 Initial payload buf[off, end): gQUIC PADDING (which fills the rest of the packet),
 * PING, and CRYPTO (type 0x08, varint offset and length as in IETF QUIC) fed to `crypto`. Any other frame ends the
 * walk with `quic_unexpected_frame` (CRYPTO data before it is kept); the hello's packets carry only these.
 */
export function walkGoogleInitialFrames(buf: Buffer, off: number, end: number, crypto: CryptoStream): FlowAnomaly | null {
  let p = off;
  while (p < end) {
    const type = buf[p];
    if (type === G_PADDING) return null;
    if (type === G_PING) { p++; continue; }
    if (type !== G_CRYPTO) return 'quic_unexpected_frame';
    p = vi(buf, p + 1, end); if (p < 0) return 'quic_frame_truncated';
    const cOff = lastVarint;
    p = vi(buf, p, end); if (p < 0) return 'quic_frame_truncated';
    const cLen = lastVarint;
    if (cLen > end - p) return 'quic_frame_truncated';
    const err = crypto.add(cOff, buf, p, cLen);
    if (err !== null) return err;
    p += cLen;
  }
  return null;
}
