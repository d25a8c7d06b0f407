// SHA-1 (FIPS 180-4 §6.1) of messages of at most 55 bytes: one 64-byte block, padding included. Community ID v1
// (community-id.ts) hashes at most 40 bytes and the flow uid (uid.ts) at most 48, once per flow. Why not
// node:crypto: a createHash() per flow builds and finalises a native object and loads node:crypto at start, which
// the CLI's startup avoids (README, "Startup"); here the message is written into a reused block and the state into
// a reused array, so a hash costs no allocation. node:crypto stays the reference: the tests hold this to it on
// random messages of every length 0..55 and to the Community ID specification's test vectors.

/** The longest message one block holds with SHA-1's 0x80 byte and 64-bit length. */
export const SHA1_BLOCK_MAX_MESSAGE = 55;

/** The message to hash: callers write its bytes here, then call sha1Block(length). Bytes past length are ignored. */
export const SHA1_INPUT = new Uint8Array(64);
/** The digest of the last sha1Block() call, as five 32-bit words (big-endian byte order when read as h0..h4). */
export const SHA1_OUT = new Int32Array(5);

const W = new Int32Array(80);

/** Hashes SHA1_INPUT[0, length) into SHA1_OUT. `length` must be 0..SHA1_BLOCK_MAX_MESSAGE. */
export function sha1Block(length: number): void {
  const b = SHA1_INPUT;
  b.fill(0, length);
  b[length] = 0x80;
  // Message length in bits, big-endian, in the last 8 bytes (at most 440 bits: the low two bytes are enough).
  const bits = length * 8;
  b[62] = bits >>> 8;
  b[63] = bits & 0xff;
  const w = W;
  for (let i = 0; i < 16; i++) {
    const j = i * 4;
    w[i] = (b[j] << 24) | (b[j + 1] << 16) | (b[j + 2] << 8) | b[j + 3];
  }
  for (let i = 16; i < 80; i++) {
    const x = w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16];
    w[i] = (x << 1) | (x >>> 31);
  }
  let a = 0x67452301, bb = 0xefcdab89 | 0, c = 0x98badcfe | 0, d = 0x10325476, e = 0xc3d2e1f0 | 0;
  for (let i = 0; i < 80; i++) {
    let f: number;
    let k: number;
    if (i < 20) {
      f = (bb & c) | (~bb & d);
      k = 0x5a827999;
    } else if (i < 40) {
      f = bb ^ c ^ d;
      k = 0x6ed9eba1;
    } else if (i < 60) {
      f = (bb & c) | (bb & d) | (c & d);
      k = 0x8f1bbcdc | 0;
    } else {
      f = bb ^ c ^ d;
      k = 0xca62c1d6 | 0;
    }
    const t = (((a << 5) | (a >>> 27)) + f + e + k + w[i]) | 0;
    e = d;
    d = c;
    c = (bb << 30) | (bb >>> 2);
    bb = a;
    a = t;
  }
  const o = SHA1_OUT;
  o[0] = (0x67452301 + a) | 0;
  o[1] = ((0xefcdab89 | 0) + bb) | 0;
  o[2] = ((0x98badcfe | 0) + c) | 0;
  o[3] = (0x10325476 + d) | 0;
  o[4] = ((0xc3d2e1f0 | 0) + e) | 0;
}
