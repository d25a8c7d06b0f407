// Micro-benchmarks of the hot path: pcap record walk, pcapng block walk, and decode per link/IP shape.
// Run with `npx vitest bench test/bench/decode.bench.ts` (not part of `vitest run`).
import { bench, describe } from 'vitest';
import { RawPacket } from '../../src/capture/raw-packet.js';
import { readCaptureStream } from '../../src/capture/reader.js';
import { Decoder } from '../../src/decode/decoder.js';
import { PacketView } from '../../src/decode/packet-view.js';
import { PcapWriter, PcapngWriter } from '../../src/synth/pcap-writer.js';
import { ethernetFrame, linkFrame, sllFrame, tcpPacket, udpPacket } from '../../src/synth/packets.js';

const tcp4 = tcpPacket({ src: '10.0.0.2', dst: '93.184.216.34', sport: 40000, dport: 443, payload: Buffer.alloc(1200) });
const tcp6 = tcpPacket({ src: '2001:db8::2', dst: '2001:db8::1', sport: 40000, dport: 443, payload: Buffer.alloc(1200) });
const udp4 = udpPacket({ src: '10.0.0.2', dst: '8.8.8.8', sport: 5353, dport: 53, payload: Buffer.alloc(40) });

function pcapOf(n: number): Buffer {
  const w = new PcapWriter();
  for (let i = 0; i < n; i++) w.add(ethernetFrame(i & 1 ? tcp4 : udp4), 1_700_000_000 + i / 1000);
  return w.toBuffer();
}
function pcapngOf(n: number): Buffer {
  const w = new PcapngWriter();
  const ifc = w.addInterface(1);
  for (let i = 0; i < n; i++) w.add(ifc, ethernetFrame(i & 1 ? tcp4 : udp4), 1_700_000_000 + i / 1000);
  return w.toBuffer();
}
const pcap = pcapOf(20_000);
const pcapng = pcapngOf(20_000);
const chunks = (b: Buffer): AsyncIterable<Buffer> =>
  (async function* () {
    for (let o = 0; o < b.length; o += 1 << 20) yield b.subarray(o, o + (1 << 20));
  })();

describe('capture walk (20k mixed frames, 1 MiB chunks)', () => {
  bench('pcap records', async () => {
    await readCaptureStream(chunks(pcap), 'bench', { packet() {} });
  });
  bench('pcapng EPBs', async () => {
    await readCaptureStream(chunks(pcapng), 'bench', { packet() {} });
  });
});

describe('decode one frame', () => {
  const d = new Decoder();
  const v = new PacketView();
  const shapes: Array<[string, number, Buffer]> = [
    ['ethernet ipv4 tcp', 1, ethernetFrame(tcp4)],
    ['ethernet vlan ipv6 tcp', 1, ethernetFrame(tcp6, { vlan: 7 })],
    ['sll ipv4 udp', 113, sllFrame(udp4)],
    ['raw ipv4 udp', 101, linkFrame(101, udp4)],
  ];
  for (const [name, link, frame] of shapes) {
    const p = new RawPacket();
    p.buf = frame;
    p.caplen = frame.length;
    p.linkType = link;
    bench(name, () => {
      for (let i = 0; i < 1000; i++) d.decode(p, v);
    });
  }
});
