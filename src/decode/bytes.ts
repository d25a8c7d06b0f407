// Big-endian reads for the hot parsers. Why not buf.readUInt16BE() and friends: Buffer.prototype is a
// dictionary-mode object, so optimized code finds those methods through a generic inline cache on every call
// (perf showed Builtins_LoadIC under the DNS decoder, the TCP header and the QUIC probe). These compile to plain
// byte loads. Callers check bounds first, as they must anyway: out of range these read 0, they do not throw.

export function u16be(buf: Uint8Array, off: number): number {
  return (buf[off] << 8) | buf[off + 1];
}

export function u32be(buf: Uint8Array, off: number): number {
  return buf[off] * 0x1000000 + ((buf[off + 1] << 16) | (buf[off + 2] << 8) | buf[off + 3]);
}
