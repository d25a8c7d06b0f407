// Owns address text from logs -> the flow tuple's 32-bit words and the one canonical text every stage prints
// (decode/ip-format.ts), so a flow read from a log prints, names and hashes (Community ID, uid) exactly as the same
// flow read from a capture. Never throws: text that is not an address gives 0.

import { formatIp, parseIpv4, parseIpv6 } from '../decode/ip-format.js';

const V6 = new Uint32Array(4);
const BYTES = new Uint8Array(16);

/**
 * Parses `text` into `out[at..at+3]` (IPv4: word `at` only, the rest 0) as big-endian words. Returns 4 or 6, or 0
 * when the text is not an address.
 */
export function addressWords(text: string, out: Int32Array, at: number): 0 | 4 | 6 {
  const v4 = parseIpv4(text);
  if (v4 >= 0) {
    out[at] = v4 | 0;
    out[at + 1] = out[at + 2] = out[at + 3] = 0;
    return 4;
  }
  if (!parseIpv6(text, V6)) return 0;
  for (let i = 0; i < 4; i++) out[at + i] = V6[i] | 0;
  return 6;
}

/** The canonical text of the address in `words[at..]` (what the capture path prints for it). */
export function wordsText(words: Int32Array, at: number, version: 4 | 6): string {
  const n = version === 4 ? 1 : 4;
  for (let i = 0; i < n; i++) {
    const w = words[at + i];
    BYTES[i * 4] = w >>> 24;
    BYTES[i * 4 + 1] = (w >>> 16) & 0xff;
    BYTES[i * 4 + 2] = (w >>> 8) & 0xff;
    BYTES[i * 4 + 3] = w & 0xff;
  }
  return formatIp(BYTES, 0, version === 4 ? 4 : 16);
}

const SCRATCH = new Int32Array(4);

/** `text` in canonical form, or undefined when it is not an address. */
export function canonicalAddress(text: string): string | undefined {
  const v = addressWords(text, SCRATCH, 0);
  return v === 0 ? undefined : wordsText(SCRATCH, 0, v);
}
