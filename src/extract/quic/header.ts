// QUIC long-header parsing (RFC 9000 §17.2, RFC 8999 invariants, RFC 9369 §3.2 v2 type bits), variable-length
// integers (RFC 9000 §16), known versions and the Initial probe. Pure; parseLongHeader fills a caller-owned,
// reused LongHeader so walking coalesced packets allocates nothing.

import { u32be } from '../../decode/bytes.js';
import { isGoogleQuicVersion, isKnownQuicVersion, isV2Layout } from './versions.js';

export { QUIC_V1, QUIC_V2, isGoogleQuicVersion, isKnownQuicVersion, quicVersionName } from './versions.js';

export const PKT_INITIAL = 0;
export const PKT_0RTT = 1;
export const PKT_HANDSHAKE = 2;
export const PKT_RETRY = 3;
/** Version Negotiation (version 0) or a version we do not know: type bits are meaningless. */
export const PKT_OTHER = -1;

/** How to read the type bits: from the version (unknown versions give PKT_OTHER), or as v1 / v2 would. */
export const LAYOUT_BY_VERSION = 0;
export const LAYOUT_V1 = 1;
export const LAYOUT_V2 = 2;

/** RFC 9000 §17.2: connection IDs are at most 20 bytes in v1 (and v2, drafts). */
export const MAX_CID_LEN = 20;
/** RFC 9000 §14.1: a client pads every datagram carrying an Initial to at least 1200 bytes. The probe asks this of
 *  versions it does not know, which keeps random UDP that happens to start like a long header out. */
export const MIN_CLIENT_INITIAL_DATAGRAM = 1200;

/** Packet type from the first byte: v2 rotates the type bits (RFC 9369 §3.2). */
export function longPacketType(firstByte: number, version: number, layout = LAYOUT_BY_VERSION): number {
  const bits = (firstByte >> 4) & 3;
  // v2: 1 = Initial, 2 = 0-RTT, 3 = Handshake, 0 = Retry
  if (layout === LAYOUT_V2 || (layout === LAYOUT_BY_VERSION && isV2Layout(version))) return (bits + 3) & 3;
  if (layout === LAYOUT_V1 || isKnownQuicVersion(version)) return bits;
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
 * Negotiation and versions whose layout is unknown (with LAYOUT_BY_VERSION) only version and CIDs are set, and
 * `end` is the datagram end. `layout` reads an unknown version's type bits as v1 or v2 would (trial decryption).
 */
export function parseLongHeader(buf: Buffer, off: number, end: number, h: LongHeader,
  layout = LAYOUT_BY_VERSION): number {
  if (off + 7 > end) return HDR_TRUNCATED;
  const b0 = buf[off];
  if ((b0 & 0x80) === 0) return HDR_NOT_LONG;
  const version = u32be(buf, off + 1);
  h.version = version;
  let p = off + 5;
  const dl = buf[p];
  const strict = layout !== LAYOUT_BY_VERSION || isKnownQuicVersion(version);
  if (strict && dl > MAX_CID_LEN) return HDR_BAD_CID;
  h.dcidOff = p + 1;
  h.dcidLen = dl;
  p += 1 + dl;
  if (p + 1 > end) return HDR_TRUNCATED;
  const sl = buf[p];
  if (strict && sl > MAX_CID_LEN) return HDR_BAD_CID;
  h.scidOff = p + 1;
  h.scidLen = sl;
  p += 1 + sl;
  if (p > end) return HDR_TRUNCATED;
  h.type = version === 0 ? PKT_OTHER : longPacketType(b0, version, layout);
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

/**
 * Cheap probe for the first datagram of a flow: a client Initial, or a 0-RTT packet with an Initial coalesced after
 * it (RFC 9000 §12.2). Long header with the fixed bit, version not 0 (Version Negotiation), CIDs of at most 20 bytes.
 * A version we know must carry the Initial or 0-RTT type bits. A version we do not know (or gQUIC, which we only
 * name) must fill a datagram of at least MIN_CLIENT_INITIAL_DATAGRAM bytes and, for IETF-style versions, parse as an
 * Initial or 0-RTT packet in the v1 layout (token and Length inside the datagram). Allocates nothing.
 */
export function looksLikeQuicInitial(buf: Buffer, off: number, len: number): boolean {
  if (len < 7 || off < 0 || off + len > buf.length) return false;
  const b0 = buf[off];
  if ((b0 & 0xc0) !== 0xc0) return false;
  const version = u32be(buf, off + 1);
  if (version === 0) return false;
  const dl = buf[off + 5];
  if (dl > MAX_CID_LEN || off + 6 + dl >= off + len) return false;
  const sl = buf[off + 6 + dl];
  if (sl > MAX_CID_LEN) return false;
  if (isKnownQuicVersion(version)) {
    const t = longPacketType(b0, version);
    return t === PKT_INITIAL || t === PKT_0RTT;
  }
  if (len < MIN_CLIENT_INITIAL_DATAGRAM) return false;
  if (isGoogleQuicVersion(version)) return true;
  const bits = (b0 >> 4) & 3;
  if (bits > PKT_0RTT) return false;
  return packetFits(buf, off + 7 + dl + sl, off + len, bits === PKT_INITIAL);
}

/** (Token Length and token, when `initial`,) then Length: all inside [p, end), Length large enough to hold a
 *  packet number, the header-protection sample and the AEAD tag. */
function packetFits(buf: Buffer, p: number, end: number, initial: boolean): boolean {
  if (initial) {
    if (p >= end || p + varintLength(buf[p]) > end) return false;
    const tl = readVarint(buf, p);
    p += varintLength(buf[p]);
    if (tl > end - p) return false;
    p += tl;
  }
  if (p >= end || p + varintLength(buf[p]) > end) return false;
  const length = readVarint(buf, p);
  p += varintLength(buf[p]);
  return length >= 20 && length <= end - p;
}

/**
 * Probe for Google QUIC: an IETF-style long header carrying a Q0nn/T0nn version (Q046+), or the legacy public
 * header of a client packet (flags with VERSION 0x01 and 8-byte CID 0x08, then 'Q0' and two digits at byte 9).
 */
export function looksLikeGoogleQuic(buf: Buffer, off: number, len: number): boolean {
  if (len < 5 || off < 0 || off + len > buf.length) return false;
  const b0 = buf[off];
  if ((b0 & 0x80) !== 0) return isGoogleQuicVersion(u32be(buf, off + 1));
  return (b0 & 0x89) === 0x09 && len >= 13 && isGoogleQuicVersion(u32be(buf, off + 9));
}

/** The version of a legacy gQUIC client packet (looksLikeGoogleQuic true and bit 0x80 clear). */
export function legacyGoogleQuicVersion(buf: Buffer, off: number): number {
  return u32be(buf, off + 9);
}
