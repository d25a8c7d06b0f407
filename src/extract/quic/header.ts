// QUIC long-header parsing (RFC 9000 §17.2, RFC 8999 invariants, RFC 9369 §3.2 v2 type bits), variable-length
// integers (RFC 9000 §16), known versions and the Initial probe. Pure; parseLongHeader fills a caller-owned,
// reused LongHeader so walking coalesced packets allocates nothing.

import { u32be } from '../../decode/bytes.js';

export const QUIC_V1 = 0x00000001;
/** RFC 9369 §3.1 */
export const QUIC_V2 = 0x6b3343cf;
const DRAFT_MIN = 0xff00001d; // draft-29
const DRAFT_MAX = 0xff000022; // draft-34

export const PKT_INITIAL = 0;
export const PKT_0RTT = 1;
export const PKT_HANDSHAKE = 2;
export const PKT_RETRY = 3;
/** Version Negotiation (version 0) or a version we do not know: type bits are meaningless. */
export const PKT_OTHER = -1;

/** RFC 9000 §17.2: connection IDs are at most 20 bytes in v1 (and v2, drafts). */
export const MAX_CID_LEN = 20;

/** Versions whose Initial packets we can decrypt. */
export function isKnownQuicVersion(v: number): boolean {
  return v === QUIC_V1 || v === QUIC_V2 || (v >= DRAFT_MIN && v <= DRAFT_MAX);
}

/** Result label: 'v1', 'v2', 'draft-29'..'draft-34', else hex. */
export function quicVersionName(v: number): string {
  if (v === QUIC_V1) return 'v1';
  if (v === QUIC_V2) return 'v2';
  if (v >= DRAFT_MIN && v <= DRAFT_MAX) return `draft-${v & 0xff}`;
  return `0x${(v >>> 0).toString(16).padStart(8, '0')}`;
}

/** gQUIC versions are ASCII 'Q0nn' (Q043..Q050) or 'T0nn' (Google's QUIC-crypto/TLS hybrids). */
export function isGoogleQuicVersion(v: number): boolean {
  const b0 = v >>> 24;
  return (b0 === 0x51 || b0 === 0x54) && ((v >>> 16) & 0xff) === 0x30;
}

/** Packet type from the first byte: v2 rotates the type bits (RFC 9369 §3.2). */
export function longPacketType(firstByte: number, version: number): number {
  const bits = (firstByte >> 4) & 3;
  if (version === QUIC_V2) return (bits + 3) & 3; // v2: 1=Initial, 2=0-RTT, 3=Handshake, 0=Retry
  if (isKnownQuicVersion(version)) return bits;
  return PKT_OTHER;
}

/** Varint length from its first byte. */
export function varintLength(firstByte: number): number {
  return 1 << (firstByte >> 6);
}

/** Reads a varint at p (caller checks p + varintLength(buf[p]) <= end). Values above 2^53 lose precision. */
export function readVarint(buf: Buffer, p: number): number {
  const n = 1 << (buf[p] >> 6);
  let v = buf[p] & 0x3f;
  for (let i = 1; i < n; i++) v = v * 256 + buf[p + i];
  return v;
}

/** One parsed long header; every field set in the constructor so the shape never changes. */
export class LongHeader {
  version = 0;
  /** PKT_INITIAL, PKT_0RTT, PKT_HANDSHAKE, PKT_RETRY or PKT_OTHER. */
  type = PKT_OTHER;
  dcidOff = 0;
  dcidLen = 0;
  scidOff = 0;
  scidLen = 0;
  tokenOff = 0;
  tokenLen = 0;
  /** Offset of the (protected) packet number, for Initial/0-RTT/Handshake. */
  pnOff = 0;
  /** End of this packet: pnOff + Length; the next coalesced packet starts here. */
  end = 0;
}

export const HDR_OK = 0;
export const HDR_NOT_LONG = 1;
export const HDR_TRUNCATED = 2;
export const HDR_BAD_CID = 3;
export const HDR_BAD_LENGTH = 4;

/**
 * Parses the long header at buf[off, end) into `h`. Returns HDR_OK or an HDR_* code. For Retry, Version
 * Negotiation and unknown versions only version and CIDs are set, and `end` is the datagram end.
 */
export function parseLongHeader(buf: Buffer, off: number, end: number, h: LongHeader): number {
  if (off + 7 > end) return HDR_TRUNCATED;
  const b0 = buf[off];
  if ((b0 & 0x80) === 0) return HDR_NOT_LONG;
  const version = u32be(buf, off + 1);
  h.version = version;
  let p = off + 5;
  const dl = buf[p];
  const known = isKnownQuicVersion(version);
  if (known && dl > MAX_CID_LEN) return HDR_BAD_CID;
  h.dcidOff = p + 1;
  h.dcidLen = dl;
  p += 1 + dl;
  if (p + 1 > end) return HDR_TRUNCATED;
  const sl = buf[p];
  if (known && sl > MAX_CID_LEN) return HDR_BAD_CID;
  h.scidOff = p + 1;
  h.scidLen = sl;
  p += 1 + sl;
  if (p > end) return HDR_TRUNCATED;
  h.type = version === 0 ? PKT_OTHER : longPacketType(b0, version);
  h.tokenOff = p;
  h.tokenLen = 0;
  h.pnOff = p;
  h.end = end;
  if (h.type === PKT_OTHER || h.type === PKT_RETRY) return HDR_OK;
  if (h.type === PKT_INITIAL) {
    if (p >= end || p + varintLength(buf[p]) > end) return HDR_TRUNCATED;
    const tl = readVarint(buf, p);
    p += varintLength(buf[p]);
    if (tl > end - p) return HDR_BAD_LENGTH;
    h.tokenOff = p;
    h.tokenLen = tl;
    p += tl;
  }
  if (p >= end || p + varintLength(buf[p]) > end) return HDR_TRUNCATED;
  const length = readVarint(buf, p);
  p += varintLength(buf[p]);
  h.pnOff = p;
  if (length > end - p) return HDR_BAD_LENGTH;
  h.end = p + length;
  return HDR_OK;
}

/** Cheap probe: a client Initial of a known version (long header, fixed bit set, type Initial, sane CIDs). */
export function looksLikeQuicInitial(buf: Buffer, off: number, len: number): boolean {
  if (len < 7 || off < 0 || off + len > buf.length) return false;
  const b0 = buf[off];
  if ((b0 & 0xc0) !== 0xc0) return false;
  const version = u32be(buf, off + 1);
  if (!isKnownQuicVersion(version) || longPacketType(b0, version) !== PKT_INITIAL) return false;
  const dl = buf[off + 5];
  if (dl > MAX_CID_LEN || off + 6 + dl >= off + len) return false;
  return buf[off + 6 + dl] <= MAX_CID_LEN;
}

/**
 * Probe for Google QUIC, which we recognise only to count and ignore: an IETF-style long header carrying a Q0xx/T0xx
 * version (Q046+), or the legacy public header (flags with VERSION 0x01 and 8-byte CID 0x08, then 'Q0nn').
 */
export function looksLikeGoogleQuic(buf: Buffer, off: number, len: number): boolean {
  if (len < 5 || off < 0 || off + len > buf.length) return false;
  const b0 = buf[off];
  if ((b0 & 0x80) !== 0 && isGoogleQuicVersion(u32be(buf, off + 1))) return true;
  return (b0 & 0x89) === 0x09 && len >= 13 && buf[off + 9] === 0x51 && buf[off + 10] === 0x30;
}
