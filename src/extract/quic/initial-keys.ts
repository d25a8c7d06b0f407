// QUIC Initial packet protection (RFC 9001 §5.2 and §5.4, RFC 9369 §3.3): per-version salts, HKDF-Extract and
// HKDF-Expand-Label over HMAC-SHA256 (hmac-sha256.ts), AES-128-GCM payload and AES-128-ECB header protection. No flow state: the
// caller keeps the InitialKeys it derived (state.ts re-derives only when the DCID changes).

import type { Cipher } from 'node:crypto';

/** node:crypto, loaded on the first QUIC packet: loading it costs ~20 ms of startup, which runs without QUIC
 *  (and `flows` on an empty capture) should not pay. */
let cryptoModule: typeof import('node:crypto') | undefined;
function nodeCrypto(): typeof import('node:crypto') {
  return (cryptoModule ??= process.getBuiltinModule('node:crypto'));
}
import { HMAC_MAX_MESSAGE, HmacKey, hmac } from './hmac-sha256.js';
import {
  SALT_COUNT, SALT_DRAFT_21, SALT_DRAFT_23, SALT_DRAFT_29, SALT_NONE, SALT_T050, SALT_T051, SALT_V1, SALT_V2,
  initialSaltId, isV2Layout,
} from './versions.js';

/** Initial salts by salt id (versions.ts says which version uses which). */
const SALTS: Buffer[] = [];
/** https://datatracker.ietf.org/doc/html/draft-ietf-quic-tls-21#section-5.2 (drafts 21 and 22; Wireshark
 *  packet-quic.c handshake_salt_draft_22, also for mvfst 0xfaceb001). */
SALTS[SALT_DRAFT_21] = Buffer.from('7fbcdb0e7c66bbe9193a96cd21519ebd7a02644a', 'hex');
/** https://datatracker.ietf.org/doc/html/draft-ietf-quic-tls-23#section-5.2 (drafts 23 to 28; Wireshark
 *  handshake_salt_draft_23; mvfst kQuicDraft23Salt, quic/handshake/HandshakeLayer.h). */
SALTS[SALT_DRAFT_23] = Buffer.from('c3eef712c72ebb5a11a7d2432bb46365bef9f502', 'hex');
/** https://datatracker.ietf.org/doc/html/draft-ietf-quic-tls-29#section-5.2 (drafts 29 to 32, as Wireshark does). */
SALTS[SALT_DRAFT_29] = Buffer.from('afbfec289993d24c9e9786f19c6111e04390a899', 'hex');
/** https://www.rfc-editor.org/rfc/rfc9001#section-5.2 (also draft-ietf-quic-tls-33 and -34). */
SALTS[SALT_V1] = Buffer.from('38762cf7f55934b34d179ae6a4c80cadccbb7f0a', 'hex');
/** https://www.rfc-editor.org/rfc/rfc9369#section-3.3.1 */
SALTS[SALT_V2] = Buffer.from('0dede3def700a6db819381be6e269dcbf9bd2ed9', 'hex');
/** Google T050: Chromium quiche quic/core/crypto/crypto_utils.cc kT050Salt (Wireshark hanshake_salt_draft_t50). */
SALTS[SALT_T050] = Buffer.from('7ff579e5acd072915580304c43a2367c60488310', 'hex');
/** Google T051: Chromium quiche quic/core/crypto/crypto_utils.cc kT051Salt (Wireshark hanshake_salt_draft_t51). */
SALTS[SALT_T051] = Buffer.from('7a4edef4e7ccee5fa4506c19124fc8ccda6e033d', 'hex');

const AEAD_TAG_LEN = 16;

/** The salts as HMAC keys, their pads hashed on first use. */
const SALT_KEYS: (HmacKey | undefined)[] = new Array<HmacKey | undefined>(SALT_COUNT).fill(undefined);
function saltKey(saltId: number): HmacKey {
  return (SALT_KEYS[saltId] ??= new HmacKey(SALTS[saltId]));
}

/** A connection ID longer than HMAC_MAX_MESSAGE (RFC 9000 allows 20; a malformed header may claim more). */
function nodeExtract(salt: Buffer, ikm: Buffer): Buffer {
  return nodeCrypto().createHmac('sha256', salt).update(ikm).digest();
}

/** The salt of a version we know (versions.ts), else the v1 salt. */
export function initialSalt(version: number): Buffer {
  const id = initialSaltId(version);
  return SALTS[id === SALT_NONE ? SALT_V1 : id];
}

/** The salt bytes of a salt id. */
export function saltBytes(saltId: number): Buffer {
  return SALTS[saltId];
}

/** HKDF-Extract(salt, ikm) = HMAC-SHA256(salt, ikm) (RFC 5869 §2.2). */
export function hkdfExtract(salt: Buffer, ikm: Buffer): Buffer {
  return hkdfExtractWith(new HmacKey(salt), ikm);
}

function hkdfExtractWith(salt: HmacKey, ikm: Buffer): Buffer {
  const out = Buffer.allocUnsafe(32);
  hmac(salt, ikm, 0, ikm.length, out, 0);
  return out;
}

/** HkdfLabel (RFC 8446 §7.1) with an empty context, followed by the HKDF-Expand counter byte T(1). */
function labelInfo(label: string, length: number): Buffer {
  const full = `tls13 ${label}`;
  const info = Buffer.alloc(2 + 1 + full.length + 1 + 1);
  info.writeUInt16BE(length, 0);
  info[2] = full.length;
  info.write(full, 3, 'latin1');
  info[3 + full.length] = 0; // context length
  info[4 + full.length] = 1; // HKDF-Expand counter T(1)
  return info;
}

/** The label infos QUIC Initial derivation uses, built once. */
const INFOS = new Map<string, Buffer>();
function infoFor(label: string, length: number): Buffer {
  const k = `${label}/${length}`;
  let info = INFOS.get(k);
  if (info === undefined) INFOS.set(k, (info = labelInfo(label, length)));
  return info;
}

/** HKDF-Expand-Label (RFC 8446 §7.1) with an empty context, for lengths up to 32 (one HMAC block). */
export function hkdfExpandLabel(secret: Buffer, label: string, length: number): Buffer {
  return expandWith(new HmacKey(secret), label, length);
}

const T1 = Buffer.alloc(32);
function expandWith(secret: HmacKey, label: string, length: number): Buffer {
  const info = infoFor(label, length);
  hmac(secret, info, 0, info.length, T1, 0);
  return Buffer.from(T1.subarray(0, length));
}

/** Keys of one direction. The ECB cipher is kept and reused: ECB has no chaining, each 16-byte block is independent. */
export class InitialKeys {
  readonly secret: Buffer;
  readonly key: Buffer;
  readonly iv: Buffer;
  readonly hp: Buffer;
  private readonly ecb: Cipher;
  constructor(secret: Buffer, v2: boolean) {
    const pre = v2 ? 'quicv2 ' : 'quic ';
    this.secret = secret;
    const k = new HmacKey(secret);
    this.key = expandWith(k, `${pre}key`, 16);
    this.iv = expandWith(k, `${pre}iv`, 12);
    this.hp = expandWith(k, `${pre}hp`, 16);
    this.ecb = nodeCrypto().createCipheriv('aes-128-ecb', this.hp, null);
    this.ecb.setAutoPadding(false);
  }
  /** AES-ECB(hp, sample) for a 16-byte sample at buf[off]; the first 5 bytes are the mask. */
  mask(buf: Buffer, off: number): Buffer {
    return this.ecb.update(buf.subarray(off, off + 16));
  }
  /** AEAD nonce: iv XOR the packet number left-padded to 12 bytes (RFC 9001 §5.3). */
  nonce(pn: number): Buffer {
    const n = Buffer.from(this.iv);
    let v = pn;
    for (let i = 11; i >= 4 && v > 0; i--) {
      n[i] ^= v & 0xff;
      v = Math.floor(v / 256);
    }
    return n;
  }
}

/** Client or server Initial keys for a version and the client's first DCID (RFC 9001 §5.2); a version we do not
 *  know gets the v1 salt. */
export function deriveInitialKeys(version: number, dcid: Buffer, server: boolean): InitialKeys {
  const id = initialSaltId(version);
  return deriveInitialKeysWith(id === SALT_NONE ? SALT_V1 : id, isV2Layout(version), dcid, server);
}

/** Initial keys from salt bytes of our own choosing (tests and the synthesiser: versions we do not know). */
export function deriveInitialKeysFromSalt(salt: Buffer, v2: boolean, dcid: Buffer, server: boolean): InitialKeys {
  const secret = hkdfExpandLabel(hkdfExtract(salt, dcid), server ? 'server in' : 'client in', 32);
  return new InitialKeys(secret, v2);
}

/** Initial keys from a salt id and the label set ("quicv2 " labels when `v2`, RFC 9369 §3.3.2). */
export function deriveInitialKeysWith(saltId: number, v2: boolean, dcid: Buffer, server: boolean): InitialKeys {
  const initial = dcid.length <= HMAC_MAX_MESSAGE ? hkdfExtractWith(saltKey(saltId), dcid)
    : nodeExtract(SALTS[saltId], dcid);
  const secret = expandWith(new HmacKey(initial), server ? 'server in' : 'client in', 32);
  return new InitialKeys(secret, v2);
}

let hdrScratch: Buffer | undefined;

/**
 * Removes header protection and decrypts one long-header packet buf[off, end) whose packet number starts at pnOff.
 * The input is not modified (the header is unmasked in a scratch copy). Returns the plaintext payload, or null when
 * the packet is too short or authentication fails.
 */
export function decryptLongPacket(keys: InitialKeys, buf: Buffer, off: number, pnOff: number, end: number): Buffer | null {
  const sampleOff = pnOff + 4;
  if (sampleOff + 16 > end) return null;
  const mask = keys.mask(buf, sampleOff);
  const b0 = buf[off] ^ (mask[0] & 0x0f);
  const pnLen = (b0 & 3) + 1;
  const hdrLen = pnOff + pnLen - off;
  if (pnOff + pnLen + AEAD_TAG_LEN > end) return null;
  if (hdrScratch === undefined || hdrScratch.length < hdrLen) hdrScratch = Buffer.alloc(Math.max(hdrLen, 2048));
  const hdr = hdrScratch;
  buf.copy(hdr, 0, off, pnOff + pnLen);
  hdr[0] = b0;
  let pn = 0;
  for (let i = 0; i < pnLen; i++) {
    const b = buf[pnOff + i] ^ mask[1 + i];
    hdr[pnOff - off + i] = b;
    pn = pn * 256 + b;
  }
  // Packet numbers in a client's first Initials are small; truncated decoding against 0 (RFC 9000 A.3) is exact.
  try {
    const d = nodeCrypto().createDecipheriv('aes-128-gcm', keys.key, keys.nonce(pn));
    d.setAAD(hdr.subarray(0, hdrLen));
    d.setAuthTag(buf.subarray(end - AEAD_TAG_LEN, end));
    const out = d.update(buf.subarray(pnOff + pnLen, end - AEAD_TAG_LEN));
    d.final();
    return out;
  } catch {
    return null;
  }
}

/**
 * Protects a long-header packet: `header` ends with the unprotected packet number of `pnLen` bytes, `payload` is the
 * plaintext. Returns header || ciphertext || tag with header protection applied (RFC 9001 §5.3, §5.4.1).
 */
export function protectLongPacket(keys: InitialKeys, header: Buffer, pnLen: number, pn: number, payload: Buffer): Buffer {
  const c = nodeCrypto().createCipheriv('aes-128-gcm', keys.key, keys.nonce(pn));
  c.setAAD(header);
  const ct = Buffer.concat([c.update(payload), c.final(), c.getAuthTag()]);
  const out = Buffer.concat([header, ct]);
  const pnOff = header.length - pnLen;
  const mask = keys.mask(out, pnOff + 4);
  out[0] ^= mask[0] & 0x0f;
  for (let i = 0; i < pnLen; i++) out[pnOff + i] ^= mask[1 + i];
  return out;
}
