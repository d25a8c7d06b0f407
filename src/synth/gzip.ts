// Gzip streams damaged on purpose, for tests of the reader's recovery (src/capture/gunzip.ts): `before` compressed
// and full-flushed (so the next block starts on a byte boundary and refers to nothing before it), then `after`
// compressed as a second run of blocks whose first header byte is made invalid (BTYPE 11, reserved by RFC 1951
// section 3.2.3). zlib stops there with "invalid block type": exactly `before` can be decoded.
import { constants, crc32, deflateRawSync } from 'node:zlib';

export interface DamagedGzip {
  gz: Buffer;
  /** Offset in `gz` of the damaged byte (zlib reports the damage there). */
  damagedAt: number;
}

export function gzipWithInvalidBlockAfter(before: Buffer, after: Buffer): DamagedGzip {
  const head = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
  const first = deflateRawSync(before, { finishFlush: constants.Z_FULL_FLUSH });
  const second = Buffer.from(deflateRawSync(after));
  // Low bits of a block header: BFINAL (1 bit), then BTYPE (2 bits); 11 is reserved, so an error.
  second[0] |= 0x06;
  const whole = Buffer.concat([before, after]);
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc32(whole) >>> 0, 0);
  trailer.writeUInt32LE(whole.length >>> 0, 4);
  return { gz: Buffer.concat([head, first, second, trailer]), damagedAt: head.length + first.length };
}
