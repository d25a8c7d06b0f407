// Throughput of the capture read loop (and read+decode) against pcap-parser's packet iteration on the same file.
// Not a test: `npx tsx scripts/measure-capture.ts FILE [ours-read|ours-decode|pcap-parser] [runs]`.
// Each mode runs in its own process for a fair heap; prints MB/s of the file size per run (page cache warm).
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { EventEmitter } from 'node:events';
import { readCapture } from '../src/capture/reader.js';
import { Decoder } from '../src/decode/decoder.js';
import { PacketView } from '../src/decode/packet-view.js';

const [file, mode = 'ours-decode', runsArg = '3'] = process.argv.slice(2);
if (!file) {
  console.error('usage: measure-capture.ts FILE [ours-read|ours-decode|pcap-parser] [runs]');
  process.exit(2);
}
const size = statSync(file).size;

async function once(): Promise<number> {
  let n = 0;
  if (mode === 'pcap-parser') {
    const pp = createRequire(import.meta.url)('pcap-parser') as { parse(f: string): EventEmitter };
    await new Promise<void>((resolve, reject) => {
      const p = pp.parse(file);
      p.on('packet', () => void n++);
      p.on('end', resolve);
      p.on('error', reject);
    });
  } else if (mode === 'bare-stream') {
    // floor: fs.createReadStream with the reader's chunk size, touching nothing
    const { createReadStream } = await import('node:fs');
    for await (const c of createReadStream(file, { highWaterMark: 1 << 20 })) n += (c as Buffer).length > 0 ? 1 : 0;
  } else if (mode === 'ours-read') {
    await readCapture(file, { packet: () => void n++ });
  } else {
    const d = new Decoder();
    const v = new PacketView();
    await readCapture(file, { packet: (p) => void (d.decode(p, v) === 0 && n++) });
  }
  return n;
}

const runs = Number(runsArg);
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const n = await once();
  const s = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  const cpu = (c.user + c.system) / 1e6;
  // CPU-time throughput is the steadier number on a loaded machine (wall time includes waiting for a core).
  console.log(`${mode} run ${i + 1}: ${n} packets, wall ${(size / 1e6 / s).toFixed(0)} MB/s (${s.toFixed(2)} s), cpu ${(size / 1e6 / cpu).toFixed(0)} MB/s (${cpu.toFixed(2)} s)`);
}
