// PCAPdroid per-app metadata (https://github.com/emanuele-f/PCAPdroid, native/pcap_dump.c and its Wireshark Lua
// dissector tools/pcapdroid.lua):
//  - pcap "with trailer" mode: Ethernet frames (fake header) end with a 32-byte trailer, big-endian:
//    magic 0x01072021, int32 uid, char appname[20] (NUL padded), uint32 fcs. Padding to 4 bytes precedes it.
//  - pcapng mode: a Custom Block (0x00000BAD) with PEN 62652 whose data is: uint16 version (=1), uint8 type
//    (1 = UID mapping), uint8 pad, uint32 uid, uint8 package_len, uint8 appname_len, package, appname
//    (integers in the writer's byte order = the section's); and each EPB carries an opt_comment "u-<uid>".
// Metadata keys emitted: `pcapdroid.package.<uid>` and `pcapdroid.app.<uid>`.
import type { ReadContext } from './read-context.js';

export const PCAPDROID_TRAILER_MAGIC = 0x01072021;
export const PCAPDROID_TRAILER_BYTES = 32;
export const PCAPDROID_PEN = 62652;
const UID_MAP_BLOCK = 1;

function cString(buf: Buffer, off: number, len: number): string {
  let e = off;
  const end = off + len;
  while (e < end && buf[e] !== 0) e++;
  return buf.toString('latin1', off, e);
}

/** Sets raw.appUid from a trailer at `off` (magic already checked); reports a new uid's app name once. */
export function readPcapdroidTrailer(ctx: ReadContext, buf: Buffer, off: number): void {
  const uid = buf.readInt32BE(off + 4);
  ctx.raw.appUid = uid;
  if (!ctx.pcapdroidUids.has(uid)) {
    ctx.pcapdroidUids.add(uid);
    ctx.meta(`pcapdroid.app.${uid}`, cString(buf, off + 8, 20));
  }
}

/** Decodes a PCAPdroid custom block's data (after the PEN); ignores versions/types it does not know. */
export function readPcapdroidCustom(ctx: ReadContext, data: Buffer, le: boolean): void {
  if (data.length < 10) return;
  const version = le ? data.readUInt16LE(0) : data.readUInt16BE(0);
  if (version !== 1 || data[2] !== UID_MAP_BLOCK) return;
  const uid = le ? data.readInt32LE(4) : data.readInt32BE(4);
  const pkgLen = data[8];
  const appLen = data[9];
  if (10 + pkgLen + appLen > data.length) return;
  ctx.pcapdroidUids.add(uid);
  ctx.meta(`pcapdroid.package.${uid}`, data.toString('utf8', 10, 10 + pkgLen));
  ctx.meta(`pcapdroid.app.${uid}`, data.toString('utf8', 10 + pkgLen, 10 + pkgLen + appLen));
}

/** Parses an EPB opt_comment `u-<uid>` in buf[off, end) into a uid, or -1. */
export function parseUidComment(buf: Buffer, off: number, end: number): number {
  if (end - off < 3 || buf[off] !== 0x75 /* u */ || buf[off + 1] !== 0x2d /* - */) return -1;
  let i = off + 2;
  let neg = false;
  if (buf[i] === 0x2d) {
    neg = true;
    i++;
  }
  if (i >= end) return -1;
  let v = 0;
  for (; i < end; i++) {
    const c = buf[i] - 48;
    if (c < 0 || c > 9 || v > 0x7fffffff) return -1;
    v = v * 10 + c;
  }
  return neg ? -v : v;
}
