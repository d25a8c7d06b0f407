// The part of `npm run bench` that times residency as its users run it (issue 16): the installed command, whole
// process, default options (geolocation on, --jobs as given), against `ndpiReader -C` single-threaded, back to back
// in rounds, on captures of the sizes the targets name. Wall and CPU time (user + system of every thread and child,
// from GNU time) and peak RSS per run; ratios per round, then their median. Nothing is opened before the clock:
// each run is a fresh process. Also the fixed cost: a one-flow capture (startup and opening the geolocation data
// for one address family) over `node -e 0`.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, symlinkSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { ethernetFrame, tcpPacket } from '../src/synth/packets.js';
import { PcapWriter } from '../src/synth/pcap-writer.js';
import { SPLIT_MIN_BYTES } from '../src/limits.js';

export interface UserBenchOptions {
  root: string;
  cache: string;
  gen: string;
  /** Sizes (MB) of the mixed captures timed at --jobs 1 against ndpiReader (30, 300, 1000). */
  sizes: number[];
  /** Size (MB) of the small-packet capture. */
  smallMb: number;
  /** Size (MB) of each of the four captures of the batch. */
  batchMb: number;
  /** Size (MB) of the one capture timed at --jobs 2 (its --jobs 1 run too). */
  splitMb: number;
  rounds: number;
  /** Memory budget of one analysing process or worker with geolocation (issue 14: 450 MB). */
  budgetMb: number;
}

interface Run {
  wall: number;
  cpu: number;
  rssMb: number;
}

const CLI = (root: string) => join(root, 'dist/bin/residency.cjs');

function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

/** One run under GNU time: wall seconds, CPU seconds (user + system) and peak RSS of the process. */
function timed(argv: string[], env?: NodeJS.ProcessEnv): Run {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', ...argv], { encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'ignore', 'pipe'], env: env ?? process.env });
  const last = (r.stderr ?? '').trim().split('\n').pop() ?? '';
  const [e, u, s, m] = last.split(' ').map(Number);
  if (!Number.isFinite(e)) throw new Error(`${argv.join(' ')}: ${r.stderr}`);
  return { wall: e, cpu: u + s, rssMb: Math.round(m / 1024) };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.floor(s.length / 2)];
}

function capture(o: UserBenchOptions, name: string, args: string[]): string {
  mkdirSync(o.cache, { recursive: true });
  const out = join(o.cache, name);
  if (!existsSync(out)) {
    process.stderr.write(`making ${out} ...\n`);
    execFileSync('python3', [o.gen, ...args, '-o', out], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  return out;
}

/** A capture of one TCP handshake to a public address: what `residency flows` costs before and after the packets. */
function oneFlow(o: UserBenchOptions): string {
  const file = join(o.cache, 'one-flow.pcap');
  const frames = [
    ethernetFrame(tcpPacket({ src: '10.0.0.2', dst: '142.250.72.14', sport: 40000, dport: 443, flags: 0x02 })),
    ethernetFrame(tcpPacket({ src: '142.250.72.14', dst: '10.0.0.2', sport: 443, dport: 40000, flags: 0x12 })),
  ];
  const w = new PcapWriter({ linkType: 1, snaplen: 65535 });
  frames.forEach((f, i) => w.add(f, 1_772_442_000 + i));
  writeFileSync(file, w.toBuffer());
  return file;
}

const fmt = (x: number, d = 2): string => (Number.isFinite(x) ? x.toFixed(d) : '-');

/** Runs every measurement; returns the report lines and the raw figures. */
export function userBench(o: UserBenchOptions): { lines: string[]; json: Record<string, unknown> } {
  const cli = CLI(o.root);
  const ndpi = have('ndpiReader');
  const lines: string[] = [];
  const json: Record<string, unknown> = {};
  const load0 = loadavg();
  lines.push(
    `## As users run it: \`residency flows CAPTURE\` (geolocation on), whole process, not pinned; ${cpus()[0]?.model ?? 'unknown CPU'}, ` +
      `${availableParallelism()} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}; load average at start ${load0.map((x) => x.toFixed(2)).join(' ')}`,
  );
  lines.push('');
  lines.push('| capture | run | wall s | CPU s | peak RSS MB | ratio (per round, then median) | target |');
  lines.push('|---|---|---:|---:|---:|---|---|');
  const row = (cap: string, run: string, rs: Run[], ratios: number[], target: string): void => {
    lines.push(
      `| ${cap} | ${run} | ${fmt(median(rs.map((r) => r.wall)))} | ${fmt(median(rs.map((r) => r.cpu)))} | ${Math.max(...rs.map((r) => r.rssMb))} | ` +
        `${ratios.length ? `${ratios.map((x) => fmt(x)).join(', ')}; **${fmt(median(ratios))}×**` : ''} | ${target} |`,
    );
  };
  // One core against ndpiReader: ratio = ndpiReader's wall ÷ ours (above 1: we are faster).
  const mixed = o.sizes.map((mb) => ({ mb, file: capture(o, `mix-${mb}m-s1.pcap`, ['--mb', String(mb), '--seed', '1', '--handsets', '3']) }));
  const small = capture(o, `small-${o.smallMb}m-s2.pcap`, ['--mb', String(o.smallMb), '--seed', '2', '--small-packets']);
  const vsNdpi: { name: string; file: string; target: string }[] = [
    ...mixed.map(({ mb, file }) => ({ name: `mixed ${mb} MB`, file, target: mb < 100 ? '≥ 1×' : '≥ 2×' })),
    { name: `small-packet ${o.smallMb} MB`, file: small, target: '≥ 2×' },
  ];
  for (const c of vsNdpi) {
    const ours: Run[] = [];
    const theirs: Run[] = [];
    const ratios: number[] = [];
    for (let i = 0; i < o.rounds; i++) {
      process.stderr.write(`${c.name}: round ${i + 1}/${o.rounds} (flows --jobs 1${ndpi ? ', ndpiReader -C' : ''}) ...\n`);
      const a = timed([process.execPath, cli, 'flows', '--jobs', '1', c.file]);
      ours.push(a);
      if (ndpi) {
        const b = timed(['ndpiReader', '-q', '-i', c.file, '-C', join(o.cache, 'ndpi.csv')]);
        theirs.push(b);
        ratios.push(b.wall / a.wall);
      }
    }
    row(c.name, 'residency flows --jobs 1', ours, [], '');
    if (ndpi) row(c.name, 'ndpiReader -C (÷ ours)', theirs, ratios, c.target);
    json[c.name] = { ours, ndpiReader: theirs, ratios };
  }
  // Two cores: one large capture split, and a batch of four.
  const splitFile = capture(o, `mix-${o.splitMb}m-s1.pcap`, ['--mb', String(o.splitMb), '--seed', '1', '--handsets', '3']);
  const batch = [1, 2, 3, 4].map((s) => capture(o, `mix-${o.batchMb}m-s${10 + s}.pcap`, ['--mb', String(o.batchMb), '--seed', String(10 + s), '--handsets', '3']));
  for (const [name, files, target] of [
    // Below SPLIT_MIN_BYTES --jobs 2 reads one capture on one core (a split measured slower there): the row says so.
    [`one capture of ${o.splitMb} MB${statSync(splitFile).size < SPLIT_MIN_BYTES ? ` (not split: below ${SPLIT_MIN_BYTES >> 20} MiB)` : ''}`, [splitFile], '≥ 1.5×'],
    [`four captures of ${o.batchMb} MB`, batch, '≥ 1.7×'],
  ] as const) {
    const one: Run[] = [];
    const two: Run[] = [];
    const ratios: number[] = [];
    for (let i = 0; i < o.rounds; i++) {
      process.stderr.write(`${name}: round ${i + 1}/${o.rounds} (--jobs 1, --jobs 2) ...\n`);
      // Alternate which goes first: a drift of the machine's speed within a round favours neither.
      const first = i % 2 === 0 ? 1 : 2;
      const r1 = first === 1 ? timed([process.execPath, cli, 'flows', '--jobs', '1', ...files]) : undefined;
      const r2 = timed([process.execPath, cli, 'flows', '--jobs', '2', ...files]);
      const a = r1 ?? timed([process.execPath, cli, 'flows', '--jobs', '1', ...files]);
      one.push(a);
      two.push(r2);
      ratios.push(a.wall / r2.wall);
    }
    row(name, 'residency flows --jobs 1', one, [], '');
    row(name, 'residency flows --jobs 2 (--jobs 1 ÷ this)', two, ratios, target);
    const peak = Math.max(...two.map((r) => r.rssMb));
    lines.push(`|  | peak RSS of --jobs 2 within ${o.budgetMb} MB × 2 | | | ${peak} | ${peak <= o.budgetMb * 2 ? 'yes' : 'NO'} | ≤ budget × workers |`);
    json[name] = { jobs1: one, jobs2: two, ratios };
  }
  const fixed = fixedCost(o);
  lines.push('', ...fixed.lines);
  json.fixed_cost = fixed.json;
  return { lines, json };
}

/**
 * The fixed cost (issue 16.1): startup and opening the geolocation data, over `node -e 0`, on a one-flow capture to
 * a public IPv4 address, 9 rounds back to back. Also the same with a cache dir that does not exist yet
 * (XDG_CACHE_HOME set to a new empty folder each run: nothing derived before is used), and `ingest` of the capture
 * into a new store with the hash cache warm and cold: ingest writes the provenance, whose SHA-256 of the data files
 * (~100 MB for IPv4) is computed on a cold run and remembered for the next (src/file-sha256.ts).
 */
export function fixedCost(o: Pick<UserBenchOptions, 'root' | 'cache'>): { lines: string[]; json: Record<string, unknown> } {
  const cli = CLI(o.root);
  mkdirSync(o.cache, { recursive: true });
  const one = oneFlow(o as UserBenchOptions);
  const scratch = join(o.cache, 'fixed-cost');
  const fresh = (i: number, what: string): string => {
    const d = join(scratch, `${what}-${i}`);
    rmSync(d, { recursive: true, force: true });
    mkdirSync(d, { recursive: true });
    return d;
  };
  const warmCache = fresh(0, 'warm-cache');
  const runs: Record<string, Run[]> = { node: [], flows: [], no_geo: [], flows_cold: [], ingest_warm: [], ingest_cold: [] };
  timed([process.execPath, cli, 'ingest', '--db', join(fresh(0, 'db'), 'w.db'), one], { ...process.env, XDG_CACHE_HOME: warmCache }); // fills the warm cache
  for (let i = 0; i < 9; i++) {
    runs.node.push(timed([process.execPath, '-e', '0']));
    runs.flows.push(timed([process.execPath, cli, 'flows', one]));
    runs.no_geo.push(timed([process.execPath, cli, 'flows', '--no-geo', one]));
    runs.flows_cold.push(timed([process.execPath, cli, 'flows', one], { ...process.env, XDG_CACHE_HOME: fresh(i, 'cold') }));
    runs.ingest_warm.push(timed([process.execPath, cli, 'ingest', '--db', join(fresh(i, 'db'), 'w.db'), one], { ...process.env, XDG_CACHE_HOME: warmCache }));
    runs.ingest_cold.push(timed([process.execPath, cli, 'ingest', '--db', join(fresh(i, 'db'), 'c.db'), one], { ...process.env, XDG_CACHE_HOME: fresh(i, 'cold') }));
  }
  rmSync(scratch, { recursive: true, force: true });
  const ms = (k: string, f: 'wall' | 'cpu'): number => median(runs[k].map((r) => r[f])) * 1000;
  const above = ms('flows', 'wall') - ms('node', 'wall');
  const lines = [
    `fixed cost (median of 9, one-flow capture to a public IPv4 address, wall / CPU ms): \`residency flows\` ${fmt(ms('flows', 'wall'), 0)} / ${fmt(ms('flows', 'cpu'), 0)}, ` +
      `--no-geo ${fmt(ms('no_geo', 'wall'), 0)} / ${fmt(ms('no_geo', 'cpu'), 0)}, \`node -e 0\` ${fmt(ms('node', 'wall'), 0)} / ${fmt(ms('node', 'cpu'), 0)}: ` +
      `**${fmt(above, 0)} ms above node** (target < 100 ms); peak RSS ${Math.max(...runs.flows.map((r) => r.rssMb))} MB (--no-geo ${Math.max(...runs.no_geo.map((r) => r.rssMb))} MB)`,
    `  cold (a new empty cache dir each run): \`residency flows\` ${fmt(ms('flows_cold', 'wall'), 0)} / ${fmt(ms('flows_cold', 'cpu'), 0)} ms; ` +
      `\`residency ingest\` (writes the provenance: SHA-256 of the data files) warm ${fmt(ms('ingest_warm', 'wall'), 0)} / ${fmt(ms('ingest_warm', 'cpu'), 0)} ms, ` +
      `cold ${fmt(ms('ingest_cold', 'wall'), 0)} / ${fmt(ms('ingest_cold', 'cpu'), 0)} ms`,
    `load average at end ${loadavg().map((x) => x.toFixed(2)).join(' ')} (GNU time's wall seconds have a resolution of 10 ms)`,
  ];
  return { lines, json: { ...runs, above_node_ms: above } };
}

/** Links `files` under names the batch can take (kept for the record: not used when the captures exist). */
export function linkAll(files: string[], dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  return files.map((f, i) => {
    const to = join(dir, `c${i}.pcap`);
    rmSync(to, { force: true });
    symlinkSync(f, to);
    return to;
  });
}
