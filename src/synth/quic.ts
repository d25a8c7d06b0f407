// Synthetic QUIC datagrams for tests and the sample-capture generator: really protected client Initials
// (AES-128-GCM payload, header protection, RFC 9001 §5) of any version we decrypt (each with its own salt, labels
// and type bits, versions.ts), carrying a ClientHello in CRYPTO frames, optionally split over several packets and
// shuffled; an encrypted server Initial; opaque 0-RTT, Handshake and short-header packets to coalesce with them
// (RFC 9000 §12.2). Deterministic for the same options.

import {
  deriveInitialKeys, deriveInitialKeysFromSalt, protectLongPacket, type InitialKeys,
} from '../extract/quic/initial-keys.js';
import { DECRYPTABLE_VERSIONS, QUIC_T050, QUIC_T051, isV2Layout, quicVersionName } from '../extract/quic/versions.js';
import { pseudoRandomBytes } from './tls.js';

/** A version by its `quic_version` name ('v1', 'draft-27', 'mvfst-exp', 'T051' ...) or its number. */
export type SynthQuicVersion = string | number;

export interface QuicClientInitialOptions {
  version: SynthQuicVersion;
  dcid: Buffer;
  scid: Buffer;
  /** ClientHello handshake message (with its 4-byte header), e.g. from buildClientHello(). */
  clientHello: Buffer;
  /** Size of each Initial packet: PADDING fills it (RFC 9000 §14.1 requires datagrams of >= 1200). Default 1200.
   *  Smaller when the Initial is coalesced with other packets that make up the rest of the datagram. */
  maxDatagram?: number;
  /** Offsets in the hello where CRYPTO data is cut; each piece travels in its own packet (own datagram). */
  splitAt?: number[];
  /** Deterministically shuffle the datagram order; inside each packet, CRYPTO frames go in reverse order with a
   *  duplicate. */
  shuffleFrames?: boolean;
  /** Retry token to carry (after a Retry). */
  token?: Buffer;
  /** DCID the keys derive from when it differs from `dcid` (a client's later Initials after the server chose a
   *  CID keep the first DCID's keys, RFC 9001 §5.2). Default: `dcid`. */
  keyDcid?: Buffer;
  /** First packet number (default 0). */
  firstPacketNumber?: number;
  /** Initial salt to protect with instead of the version's own (a version we do not know, a wrong salt). */
  salt?: Buffer;
}

const BY_NAME = new Map<string, number>(DECRYPTABLE_VERSIONS.map((v) => [quicVersionName(v), v]));

/** The wire number of a version name we decrypt ('v1', 'draft-23', 'mvfst-exp', 'T051' ...), or the number itself. */
export function versionNumber(v: SynthQuicVersion): number {
  if (typeof v === 'number') return v >>> 0;
  const n = BY_NAME.get(v);
  if (n === undefined) throw new RangeError(`no QUIC version named ${v}`); // invariant: the synthesiser's callers are tests
  return n;
}

/** T050 and T051 carry gQUIC frames (PADDING 0x00 fills the rest of the packet, so zeros still pad). */
function googleFraming(version: number): boolean {
  return version === QUIC_T050 || version === QUIC_T051;
}

function keysFor(version: number, dcid: Buffer, server: boolean, salt: Buffer | undefined): InitialKeys {
  return salt === undefined ? deriveInitialKeys(version, dcid, server)
    : deriveInitialKeysFromSalt(salt, isV2Layout(version), dcid, server);
}

function varint(v: number): Buffer {
  if (v < 0x40) return Buffer.from([v]);
  if (v < 0x4000) return Buffer.from([0x40 | (v >> 8), v & 0xff]);
  if (v < 0x40000000) {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(v);
    b[0] |= 0x80;
    return b;
  }
  throw new RangeError('varint too large for the synthesiser'); // invariant: a test's bug
}

/** A CRYPTO frame: type 0x06 (RFC 9000 §19.6), or 0x08 in Google's framing of T050/T051 (Wireshark packet-gquic.c). */
function cryptoFrame(offset: number, data: Buffer, google = false): Buffer {
  return Buffer.concat([Buffer.from([google ? 0x08 : 0x06]), varint(offset), varint(data.length), data]);
}

/** Long-header first byte for a packet type (0 Initial, 1 0-RTT, 2 Handshake, 3 Retry) with a 2-byte packet
 *  number; v2 rotates the type bits (RFC 9369 §3.2). */
function firstByte(version: number, type: number): number {
  const bits = isV2Layout(version) ? (type + 1) & 3 : type;
  return 0xc0 | (bits << 4) | 0x01; // pn length 2
}

/** Builds one protected Initial packet whose frames fill exactly `size` bytes of datagram (PADDING added). */
function buildInitialPacket(keys: InitialKeys, version: number, dcid: Buffer, scid: Buffer, token: Buffer,
  pn: number, frames: Buffer, size: number): Buffer {
  const pnLen = 2;
  const fixed = 1 + 4 + 1 + dcid.length + 1 + scid.length + varint(token.length).length + token.length;
  // Length field is a 2-byte varint: covers pn + payload + 16-byte tag.
  let payloadLen = Math.max(frames.length, size - fixed - 2 - pnLen - 16);
  payloadLen = Math.max(payloadLen, 4); // header-protection sample needs pn + payload >= 4 + 16 - tag
  const payload = Buffer.alloc(payloadLen); // zeros = PADDING frames
  frames.copy(payload);
  const length = pnLen + payloadLen + 16;
  const hdr = Buffer.alloc(fixed + 2 + pnLen);
  let p = 0;
  hdr[p++] = firstByte(version, 0);
  hdr.writeUInt32BE(version, p); p += 4;
  hdr[p++] = dcid.length; p += dcid.copy(hdr, p);
  hdr[p++] = scid.length; p += scid.copy(hdr, p);
  p += varint(token.length).copy(hdr, p);
  p += token.copy(hdr, p);
  hdr.writeUInt16BE(0x4000 | length, p); p += 2;
  hdr.writeUInt16BE(pn & 0xffff, p);
  return protectLongPacket(keys, hdr, pnLen, pn, payload);
}

/** Protected client Initial datagrams carrying the hello. */
export function buildQuicClientInitials(opts: QuicClientInitialOptions): Buffer[] {
  const version = versionNumber(opts.version);
  const keys = keysFor(version, opts.keyDcid ?? opts.dcid, false, opts.salt);
  const size = opts.maxDatagram ?? 1200;
  const token = opts.token ?? Buffer.alloc(0);
  const overhead = 1 + 4 + 1 + opts.dcid.length + 1 + opts.scid.length + 1 + token.length + 2 + 2 + 16 + 16;
  // CRYPTO frame headers (type + offset + length varints), three of them when shuffled
  const room = Math.floor((size - overhead - 24) / (opts.shuffleFrames ? 1.5 : 1));
  if (room < 16) throw new RangeError('maxDatagram too small for the connection IDs'); // invariant: a test's bug
  const hello = opts.clientHello;
  // Cut points: the requested ones, then every `room` bytes inside each piece.
  const cuts = [...new Set([0, ...(opts.splitAt ?? []).filter((c) => c > 0 && c < hello.length), hello.length])]
    .sort((a, b) => a - b);
  const pieces: Array<{ off: number; data: Buffer }> = [];
  for (let i = 0; i + 1 < cuts.length; i++) {
    for (let o = cuts[i]; o < cuts[i + 1]; o += room) {
      pieces.push({ off: o, data: hello.subarray(o, Math.min(cuts[i + 1], o + room)) });
    }
  }
  if (opts.shuffleFrames) shuffle(pieces, `${opts.dcid.toString('hex')}|shuffle`);
  let pn = opts.firstPacketNumber ?? 0;
  const g = googleFraming(version);
  return pieces.map((piece) => {
    let frames = cryptoFrame(piece.off, piece.data, g);
    if (opts.shuffleFrames && piece.data.length >= 2) {
      // two CRYPTO frames in reverse order, the second half repeated as a duplicate
      const h = piece.data.length >> 1;
      const tail = cryptoFrame(piece.off + h, piece.data.subarray(h), g);
      frames = Buffer.concat([tail, cryptoFrame(piece.off, piece.data.subarray(0, h), g), tail]);
    }
    return buildInitialPacket(keys, version, opts.dcid, opts.scid, token, pn++, frames, size);
  });
}

/** Fisher-Yates with a deterministic byte stream. */
function shuffle<T>(a: T[], seed: string): void {
  const r = pseudoRandomBytes(seed, a.length * 2 + 2);
  for (let i = a.length - 1; i > 0; i--) {
    const j = r.readUInt16BE(i * 2) % (i + 1);
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
}

export interface QuicServerInitialOptions {
  version: SynthQuicVersion;
  /** The DCID of the client's first Initial (keys derive from it). */
  clientDcid: Buffer;
  /** Server's chosen connection ID (its SCID); the DCID of the reply is the client's SCID. */
  serverCid: Buffer;
  clientScid: Buffer;
  packetNumber?: number;
  /** As QuicClientInitialOptions.salt. */
  salt?: Buffer;
}

/** One protected server Initial (ACK of packet 0 + a CRYPTO frame with ServerHello-shaped bytes). */
export function buildQuicServerInitial(opts: QuicServerInitialOptions): Buffer {
  const version = versionNumber(opts.version);
  const keys = keysFor(version, opts.clientDcid, true, opts.salt);
  const body = pseudoRandomBytes(`${opts.serverCid.toString('hex')}|sh`, 86);
  const serverHello = Buffer.concat([Buffer.from([2, 0, 0, body.length]), body]);
  const frames = googleFraming(version) ? cryptoFrame(0, serverHello, true)
    : Buffer.concat([Buffer.from([0x02, 0x00, 0x00, 0x00, 0x00]), cryptoFrame(0, serverHello)]);
  return buildInitialPacket(keys, version, opts.clientScid, opts.serverCid, Buffer.alloc(0),
    opts.packetNumber ?? 0, frames, 0);
}

export interface QuicOpaquePacketOptions {
  version: SynthQuicVersion;
  /** 1 = 0-RTT, 2 = Handshake (v1 numbering; v2's type bits are applied). */
  type: 1 | 2;
  dcid: Buffer;
  scid: Buffer;
  /** Bytes after the Length field (packet number + protected payload + tag). Default 60. */
  bodyLength?: number;
  seed?: string;
}

/** A 0-RTT or Handshake long-header packet whose body is opaque bytes (keys we cannot know), with a true Length. */
export function buildQuicOpaquePacket(opts: QuicOpaquePacketOptions): Buffer {
  const version = versionNumber(opts.version);
  const body = pseudoRandomBytes(opts.seed ?? `opaque|${opts.type}|${opts.dcid.toString('hex')}`, opts.bodyLength ?? 60);
  const hdr = Buffer.concat([Buffer.from([firstByte(version, opts.type), 0, 0, 0, 0]), Buffer.from([opts.dcid.length]),
    opts.dcid, Buffer.from([opts.scid.length]), opts.scid, Buffer.from([0x40 | (body.length >> 8), body.length & 0xff])]);
  hdr.writeUInt32BE(version, 1);
  return Buffer.concat([hdr, body]);
}

/** A short-header (1-RTT) packet: fixed bit set, the DCID, then opaque bytes; it fills the rest of its datagram. */
export function buildQuicShortPacket(dcid: Buffer, bodyLength = 40, seed = 'short'): Buffer {
  return Buffer.concat([Buffer.from([0x41]), dcid, pseudoRandomBytes(`${seed}|${dcid.toString('hex')}`, bodyLength)]);
}

/** One UDP payload of coalesced packets (RFC 9000 §12.2), zero-padded to `padTo` bytes when shorter. */
export function coalesce(packets: Buffer[], padTo = 0): Buffer {
  const d = Buffer.concat(packets);
  return d.length >= padTo ? d : Buffer.concat([d, Buffer.alloc(padTo - d.length)]);
}
