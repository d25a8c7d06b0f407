// HMAC-SHA256 for the short inputs of QUIC Initial key derivation (RFC 9001 §5.2: HKDF-Extract over a DCID of at
// most 20 bytes, HKDF-Expand-Label with labels of under 30 bytes), with a key's inner and outer pads hashed once
// and reused. Why not node:crypto: every createHmac() builds and later finalises a native object, ~5 us each here
// and 2-3x that when it runs cold between packets; a QUIC flow needs five, and they were ~40 % of the QUIC cost
// on the benchmark capture (numbers in the README's performance section). node:crypto stays the reference: the
// tests hold this to it on random keys and messages, and to RFC 9001 Appendix A. No secrets are involved: the
// inputs are public values from the capture.

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]);
const IV = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);

/** The longest message hmac() takes: it and SHA-256's padding fit one 64-byte block after the key pad. */
export const HMAC_MAX_MESSAGE = 55;
/** The longest key: one block (longer HMAC keys are hashed first, which QUIC Initial derivation never needs). */
export const HMAC_MAX_KEY = 64;

const W = new Int32Array(64);
const BLOCK = new Uint8Array(64);

/** One SHA-256 compression of BLOCK into state (8 words). */
function compress(state: Int32Array): void {
  const w = W;
  const b = BLOCK;
  for (let i = 0; i < 16; i++) {
    const j = i * 4;
    w[i] = (b[j] << 24) | (b[j + 1] << 16) | (b[j + 2] << 8) | b[j + 3];
  }
  for (let i = 16; i < 64; i++) {
    const x = w[i - 15];
    const y = w[i - 2];
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
  }
  let a = state[0], bb = state[1], c = state[2], d = state[3], e = state[4], f = state[5], g = state[6], h = state[7];
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const ch = (e & f) ^ (~e & g);
    const t1 = (h + S1 + ch + K[i] + w[i]) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const maj = (a & bb) ^ (a & c) ^ (bb & c);
    const t2 = (S0 + maj) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = bb;
    bb = a;
    a = (t1 + t2) | 0;
  }
  state[0] = (state[0] + a) | 0;
  state[1] = (state[1] + bb) | 0;
  state[2] = (state[2] + c) | 0;
  state[3] = (state[3] + d) | 0;
  state[4] = (state[4] + e) | 0;
  state[5] = (state[5] + f) | 0;
  state[6] = (state[6] + g) | 0;
  state[7] = (state[7] + h) | 0;
}

/** Hashes `data` (already one block long with what precedes it) as the final block: data, 0x80, zeros, bit length. */
function finalBlock(state: Int32Array, data: Uint8Array, dataOff: number, dataLen: number, totalLen: number): void {
  const b = BLOCK;
  b.fill(0);
  for (let i = 0; i < dataLen; i++) b[i] = data[dataOff + i];
  b[dataLen] = 0x80;
  const bits = totalLen * 8;
  b[60] = bits >>> 24;
  b[61] = (bits >>> 16) & 0xff;
  b[62] = (bits >>> 8) & 0xff;
  b[63] = bits & 0xff;
  compress(state);
}

/** A key's HMAC pads, hashed once: each hmac() with it then costs two compressions. */
export class HmacKey {
  readonly inner = new Int32Array(8);
  readonly outer = new Int32Array(8);
  constructor(key: Uint8Array) {
    // Invariant: keys are the QUIC Initial salts and HKDF PRKs the extractor derives (RFC 9001 5.2), never capture bytes.
    if (key.length > HMAC_MAX_KEY) throw new RangeError(`HMAC key of ${key.length} bytes (at most ${HMAC_MAX_KEY} here)`);
    this.inner.set(IV);
    this.outer.set(IV);
    const b = BLOCK;
    for (let i = 0; i < 64; i++) b[i] = (i < key.length ? key[i] : 0) ^ 0x36;
    compress(this.inner);
    for (let i = 0; i < 64; i++) b[i] = (i < key.length ? key[i] : 0) ^ 0x5c;
    compress(this.outer);
  }
}

const ST = new Int32Array(8);
const INNER_HASH = new Uint8Array(32);

/** HMAC-SHA256(key, msg[off, off+len)) into out[outOff, outOff+32). msg length at most HMAC_MAX_MESSAGE. */
export function hmac(key: HmacKey, msg: Uint8Array, off: number, len: number, out: Uint8Array, outOff: number): void {
  // Invariant: messages are HKDF labels, or connection IDs of at most this length (longer ones go to node:crypto in
  // deriveInitialKeysWith), never capture bytes of any length.
  if (len > HMAC_MAX_MESSAGE) throw new RangeError(`HMAC message of ${len} bytes (at most ${HMAC_MAX_MESSAGE} here)`);
  ST.set(key.inner);
  finalBlock(ST, msg, off, len, 64 + len);
  writeState(ST, INNER_HASH, 0);
  ST.set(key.outer);
  finalBlock(ST, INNER_HASH, 0, 32, 64 + 32);
  writeState(ST, out, outOff);
}

function writeState(s: Int32Array, out: Uint8Array, off: number): void {
  for (let i = 0; i < 8; i++) {
    const v = s[i];
    out[off + i * 4] = v >>> 24;
    out[off + i * 4 + 1] = (v >>> 16) & 0xff;
    out[off + i * 4 + 2] = (v >>> 8) & 0xff;
    out[off + i * 4 + 3] = v & 0xff;
  }
}
