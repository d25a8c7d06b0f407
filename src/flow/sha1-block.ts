// SHA-1 (FIPS 180-4 §6.1) of messages of at most 55 bytes: one 64-byte block, padding included. Community ID v1
// (community-id.ts) hashes at most 40 bytes and the flow uid (uid.ts) at most 48, once per flow. Why not
// node:crypto: a createHash() per flow builds and finalises a native object and loads node:crypto at start, which
// the CLI's startup avoids (README, "Startup"); here the message is written into a reused block and the state into
// a reused array, so a hash costs no allocation (test/bench/flow-ids.bench.ts: ~4x createHash's rate). The 80
// rounds run as four branch-free loops of 20 (a branch per round was ~25 % slower in the same run). node:crypto
// stays the reference: the tests hold this to it on random messages of every length 0..55 and to the Community ID
// specification's test vectors.

/** The longest message one block holds with SHA-1's 0x80 byte and 64-bit length. */
export const SHA1_BLOCK_MAX_MESSAGE = 55;

/** The message to hash: callers write its bytes here, then call sha1Block(length). Bytes past length are ignored. */
export const SHA1_INPUT = new Uint8Array(64);
/** The digest of the last sha1Block() call, as five 32-bit words (big-endian byte order when read as h0..h4). */
export const SHA1_OUT = new Int32Array(5);

const W = new Int32Array(80);

const H0 = 0x67452301;
const H1 = 0xefcdab89 | 0;
const H2 = 0x98badcfe | 0;
const H3 = 0x10325476;
const H4 = 0xc3d2e1f0 | 0;

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
  // `| 0` on each: in the CommonJS bundle (scripts/bundle.ts) a module's consts become `var`s set when the module is
  // first loaded, which V8 reads as values of unknown type; starting the rounds from those made the five state
  // variables tagged, and each round boxed them: ~700 ns a block against ~240 ns, in the bundle only (the ES modules
  // that vitest and test/bench run keep the consts, and never showed it).
  let a = H0 | 0, bb = H1 | 0, c = H2 | 0, d = H3 | 0, e = H4 | 0;
  let i = 0;
  for (; i < 20; i++) {
    const t = (((a << 5) | (a >>> 27)) + ((bb & c) | (~bb & d)) + e + 0x5a827999 + w[i]) | 0;
    e = d;
    d = c;
    c = (bb << 30) | (bb >>> 2);
    bb = a;
    a = t;
  }
  for (; i < 40; i++) {
    const t = (((a << 5) | (a >>> 27)) + (bb ^ c ^ d) + e + 0x6ed9eba1 + w[i]) | 0;
    e = d;
    d = c;
    c = (bb << 30) | (bb >>> 2);
    bb = a;
    a = t;
  }
  for (; i < 60; i++) {
    const t = (((a << 5) | (a >>> 27)) + ((bb & c) | (bb & d) | (c & d)) + e + (0x8f1bbcdc | 0) + w[i]) | 0;
    e = d;
    d = c;
    c = (bb << 30) | (bb >>> 2);
    bb = a;
    a = t;
  }
  for (; i < 80; i++) {
    const t = (((a << 5) | (a >>> 27)) + (bb ^ c ^ d) + e + (0xca62c1d6 | 0) + w[i]) | 0;
    e = d;
    d = c;
    c = (bb << 30) | (bb >>> 2);
    bb = a;
    a = t;
  }
  const o = SHA1_OUT;
  o[0] = (H0 + a) | 0;
  o[1] = (H1 + bb) | 0;
  o[2] = (H2 + c) | 0;
  o[3] = (H3 + d) | 0;
  o[4] = (H4 + e) | 0;
}
