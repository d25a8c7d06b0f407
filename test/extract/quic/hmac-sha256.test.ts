// The QUIC key derivation's own HMAC-SHA256 (src/extract/quic/hmac-sha256.ts) against node:crypto, the reference.

import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HMAC_MAX_KEY, HMAC_MAX_MESSAGE, HmacKey, hmac } from '../../../src/extract/quic/hmac-sha256.js';
import { hkdfExpandLabel, hkdfExtract } from '../../../src/extract/quic/initial-keys.js';

function ours(key: Uint8Array, msg: Uint8Array): Buffer {
  const out = Buffer.alloc(40, 0xee);
  hmac(new HmacKey(key), msg, 0, msg.length, out, 4);
  expect(out.subarray(0, 4).every((b) => b === 0xee)).toBe(true); // writes only its 32 bytes
  expect(out.subarray(36).every((b) => b === 0xee)).toBe(true);
  return out.subarray(4, 36);
}

describe('hmac-sha256', () => {
  it('equals node:crypto for every key and message length it accepts', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: HMAC_MAX_KEY }), fc.uint8Array({ maxLength: HMAC_MAX_MESSAGE }), (key, msg) => {
        expect(ours(key, msg).toString('hex')).toBe(createHmac('sha256', key).update(msg).digest('hex'));
      }),
      { numRuns: 500 },
    );
  });

  it('a key reused for several messages gives each its own HMAC, at any offset', () => {
    const key = new HmacKey(Buffer.from('0123456789abcdef0123456789abcdef', 'hex'));
    const msgs = ['tls13 quic key', 'tls13 quic iv', 'tls13 quic hp'].map((s) => Buffer.from(`xx${s}`));
    for (const m of msgs) {
      const out = Buffer.alloc(32);
      hmac(key, m, 2, m.length - 2, out, 0);
      expect(out.toString('hex')).toBe(
        createHmac('sha256', Buffer.from('0123456789abcdef0123456789abcdef', 'hex')).update(m.subarray(2)).digest('hex'),
      );
    }
  });

  it('RFC 4231 test case 2 ("Jefe")', () => {
    expect(ours(Buffer.from('Jefe'), Buffer.from('what do ya want for nothing?')).toString('hex')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });

  it('refuses keys and messages beyond its one-block limits instead of answering wrongly', () => {
    expect(() => new HmacKey(Buffer.alloc(HMAC_MAX_KEY + 1))).toThrow(RangeError);
    const out = Buffer.alloc(32);
    expect(() => hmac(new HmacKey(Buffer.alloc(4)), Buffer.alloc(HMAC_MAX_MESSAGE + 1), 0, HMAC_MAX_MESSAGE + 1, out, 0)).toThrow(RangeError);
  });

  it('HKDF-Extract and Expand-Label built on it match RFC 9001 Appendix A.1', () => {
    const dcid = Buffer.from('8394c8f03e515708', 'hex');
    const initial = hkdfExtract(Buffer.from('38762cf7f55934b34d179ae6a4c80cadccbb7f0a', 'hex'), dcid);
    expect(initial.toString('hex')).toBe('7db5df06e7a69e432496adedb00851923595221596ae2ae9fb8115c1e9ed0a44');
    const client = hkdfExpandLabel(initial, 'client in', 32);
    expect(client.toString('hex')).toBe('c00cf151ca5be075ed0ebfb5c80323c42d6b7db67881289af4008f1f6c357aea');
    expect(hkdfExpandLabel(client, 'quic key', 16).toString('hex')).toBe('1f369613dd76d5467730efcbe3b1a22d');
    expect(hkdfExpandLabel(client, 'quic iv', 12).toString('hex')).toBe('fa044b2f42a3fd3b46fb255c');
    expect(hkdfExpandLabel(client, 'quic hp', 16).toString('hex')).toBe('9f50449e04a0e810283a1e9933adedd2');
  });
});
