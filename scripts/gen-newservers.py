#!/usr/bin/env python3
"""Endless valid pcap on stdout: one handset sending a UDP datagram to an ever-new public server address, 10,000
flows per capture-second. The worst case for what geolocation caches per address (a member of the family of
../shared/repro/gen-stream.py's streams; docs/memory.md).
gen-newservers.py [MODE] [MAXBYTES]   (MODE is ignored, so that scripts/stream-memory.sh can run it through GEN=)"""
import struct
import sys

args = [a for a in sys.argv[1:] if not a.isalpha()]
maxbytes = int(float(args[0])) if args else 1 << 62
out = sys.stdout.buffer
out.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1))
ETH = b'\x02\x00\x5e\x10\x00\x21' + b'\x02\x00\x00\x00\x00\x01' + b'\x08\x00'
T0 = 1772442000
CLIENT = bytes([10, 0, 0, 2])
n = 0
written = 0
buf = []
try:
    while written < maxbytes:
        # A multiplicative stride spreads the addresses over every network; skip 0/8, 10/8, 127/8 and multicast up.
        a = (0x0b000000 + n * 2654435761) & 0xffffffff
        if a >> 24 in (0, 10, 127) or a >> 28 >= 14:
            n += 1
            continue
        u = struct.pack('!HHHH', 40000 + n % 20000, 443, 8 + 32, 0) + b'\x40' * 32
        ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(u), 0, 0x4000, 64, 17, 0, CLIENT, struct.pack('!I', a))
        f = ETH + ip + u
        ts = T0 + n / 10000.0
        buf.append(struct.pack('<IIII', int(ts), int((ts - int(ts)) * 1e6), len(f), len(f)) + f)
        n += 1
        if len(buf) >= 10000:
            b = b''.join(buf)
            out.write(b)
            written += len(b)
            buf = []
except BrokenPipeError:
    pass
