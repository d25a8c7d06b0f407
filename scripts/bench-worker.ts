// One benchmark measurement in a fresh process (so peak RSS is this mode's own): reads CAPTURE in MODE and
// prints one JSON line {mode, bytes, packets, seconds, max_rss_mb, ...}. Driven by scripts/bench.ts.
//   floor      walk the record headers only (pcap or pcapng), one reused buffer: the I/O + framing floor
//   flows      the full `residency flows --no-geo` pipeline, records built and counted, not printed
//   flows-geo  the same plus geolocation of every flow (cached per IP)
//   pcap-parser  the design card's pcap-parser package iterating the same packets (classic pcap only)

import { closeSync, openSync, readSync, statSync, createReadStream } from 'node:fs';
import { analyzeCapture } from '../src/pipeline.js';
import type { FlowRecord } from '../src/types.js';

interface Result {
  mode: string;
  bytes: number;
  packets: number;
  seconds: number;
  max_rss_mb: number;
  /** CPU time (user + system) of the measured section: a check on wall time when the machine is shared. */
  cpu_seconds?: number;
  flows?: number;
  named?: number;
  geo_load_seconds?: number;
  /** Seconds spent in GeoBatcher.flush (flows-geo). */
  enrich_seconds?: number;
}

const CHUNK = 1 << 22;

/** Record-header walk: pcap (16-byte headers) or pcapng (block lengths); no decoding. */
function floor(path: string): { packets: number } {
  const fd = openSync(path, 'r');
  const buf = Buffer.allocUnsafe(CHUNK + 65536);
  let have = 0;
  let pos = 0;
  let packets = 0;
  let first = true;
  let pcapng = false;
  let le = true;
  for (;;) {
    const n = readSync(fd, buf, have, CHUNK, null);
    if (n === 0) break;
    have += n;
    if (first) {
      first = false;
      const magic = buf.readUInt32LE(0);
      pcapng = magic === 0x0a0d0d0a;
      if (!pcapng) {
        le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
        pos = 24;
      } else le = buf.readUInt32LE(8) === 0x1a2b3c4d;
    }
    for (;;) {
      if (pcapng) {
        if (have - pos < 12) break;
        const type = le ? buf.readUInt32LE(pos) : buf.readUInt32BE(pos);
        const len = le ? buf.readUInt32LE(pos + 4) : buf.readUInt32BE(pos + 4);
        if (have - pos < len) break;
        if (type === 6 || type === 3) packets++;
        pos += len;
      } else {
        if (have - pos < 16) break;
        const caplen = le ? buf.readUInt32LE(pos + 8) : buf.readUInt32BE(pos + 8);
        if (have - pos < 16 + caplen) break;
        packets++;
        pos += 16 + caplen;
      }
    }
    buf.copy(buf, 0, pos, have);
    have -= pos;
    pos = 0;
  }
  closeSync(fd);
  return { packets };
}

async function pcapParser(path: string): Promise<{ packets: number }> {
  const pkg = 'pcap-parser'; // untyped CommonJS package
  const mod = (await import(pkg)) as unknown as { parse(s: NodeJS.ReadableStream): NodeJS.EventEmitter };
  return new Promise((resolve, reject) => {
    let packets = 0;
    const p = mod.parse(createReadStream(path, { highWaterMark: 1 << 20 }));
    p.on('packet', () => packets++);
    p.on('end', () => resolve({ packets }));
    p.on('error', reject);
  });
}

async function main(): Promise<void> {
  const [mode, path] = process.argv.slice(2);
  const bytes = statSync(path).size;
  let geoLoad = 0;
  let geoMs = 0;
  let enrich: ((f: FlowRecord) => unknown) | undefined;
  let batcher: { flush(): void } | undefined;
  if (mode === 'flows-geo') {
    const g0 = performance.now();
    const { GeoLocator } = await import('../src/geo/index.js');
    const { GeoBatcher } = await import('../src/pipeline/flow-geo.js');
    const geo = await GeoLocator.open({});
    // Databases load before the clock starts (issue 3: enrichment cost, not data loading, is compared).
    geo.preload();
    // As `residency flows` does it: records enriched in batches (src/pipeline/flow-geo.ts).
    batcher = new GeoBatcher(geo, () => undefined);
    // The time spent enriching, measured inside the run (GeoBatcher.flush: the lookups and the flow fields; a
    // batch is flushed when it fills): the cost itself, free of the run-to-run drift of the two whole runs.
    const b = batcher as InstanceType<typeof GeoBatcher>;
    const flush = b.flush.bind(b);
    b.flush = () => {
      const t = performance.now();
      flush();
      geoMs += performance.now() - t;
    };
    enrich = (f) => b.add(f);
    geoLoad = (performance.now() - g0) / 1000;
  }
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const r: Result = { mode, bytes, packets: 0, seconds: 0, max_rss_mb: 0 };
  if (mode === 'floor') r.packets = floor(path).packets;
  else if (mode === 'pcap-parser') r.packets = (await pcapParser(path)).packets;
  else if (mode === 'flows' || mode === 'flows-geo') {
    let flows = 0;
    let named = 0;
    const s = await analyzeCapture(path, {
      flow: (f) => {
        flows++;
        if (f.hostname !== undefined) named++;
        if (enrich !== undefined) enrich(f);
      },
    });
    batcher?.flush();
    r.packets = s.packets;
    r.flows = flows;
    r.named = named;
  } else throw new Error(`unknown mode ${mode}`);
  r.seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  r.cpu_seconds = (cpu.user + cpu.system) / 1e6;
  r.max_rss_mb = Math.round(process.resourceUsage().maxRSS / 1024);
  if (mode === 'flows-geo') {
    r.geo_load_seconds = geoLoad;
    r.enrich_seconds = geoMs / 1000;
  }
  process.stdout.write(JSON.stringify(r) + '\n');
}

main().catch((e: unknown) => {
  process.stderr.write(String((e as Error).stack ?? e) + '\n');
  process.exitCode = 1;
});
