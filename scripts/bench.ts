// `npm run bench`: whole-capture throughput and peak RSS, ours against baselines, in one run on one machine.
// Makes (or reuses, under .cache/bench/) a deterministic ~1 GB handset-like capture and a small-packet one with
// ../shared/bench/gen-capture.py, then measures each mode in a fresh process pinned to one core:
//   floor        a bare loop that walks the record headers (the I/O floor)
//   flows        the full `residency flows --no-geo` pipeline
//   flows-geo    the same with geolocation (issue 3: must stay within 10 % of flows)
//   pcap-parser  the design card's classic-pcap parser iterating packets (reference; why it is not our reader)
//   ndpiReader   `ndpiReader -C` (nDPI), when installed
//   tshark       tshark field extraction of the same names, when installed
// and the startup time of `residency flows` on an empty capture. Prints a table with ratios to `flows`.
// flows, flows-geo and ndpiReader run in rounds, back to back (flows-geo before flows in every other round), and
// each ratio is also reported per round.
// flows-geo ÷ flows is also given in CPU time (every thread of the process) and, on the mixed capture, for a pair
// run without pinning: on one core V8's compiler and GC threads take turns with the pipeline, on several they
// run beside it, which is how a user runs the tool.
// Then, as users run it (scripts/bench-users.ts, issue 16): `residency flows` whole process, geolocation on, at
// --jobs 1 against ndpiReader -C on 30 MB, 300 MB, --mb and the small-packet capture; --jobs 2 against --jobs 1 on
// one --split-mb capture (default 300) and on four --batch-mb captures (default 75); the fixed cost over node -e 0.
// Options: --mb N (mixed capture size, default 1000), --small-mb N (default 256), --runs N (rounds, default 3),
// --user-sizes LIST (default 30,300,--mb), --split-mb N, --batch-mb N, --users-only (skip the pinned pipeline part),
// --users-json FILE, --fixed-only (only the fixed cost: flows on a one-flow capture against node -e 0, cold and warm),
// --geo-rounds N (pinned flows/flows-geo pairs on the mixed capture, default 11; at least --runs),
// --json FILE (also write the results as JSON), --skip-external.
// flows-geo also reports the time it spent enriching (GeoBatcher.flush, measured inside the run): the cost as a
// share of the rest of the same run, free of the drift between two runs.

import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, readSync, rmSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fixedCost, userBench } from './bench-users.js';
import { PcapWriter } from '../src/synth/pcap-writer.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../..'); // dist/scripts -> repository root
const CACHE = join(ROOT, '.cache/bench');
const GEN = resolve(ROOT, '../shared/bench/gen-capture.py');
const WORKER = join(HERE, 'bench-worker.js');
const CLI = join(ROOT, 'dist/bin/residency.cjs');
/** Peak RSS one analysing process (or worker) may reach with geolocation: issue 14's budget. */
const MEMORY_BUDGET_GEO_MB = 450;

interface Measure {
  mode: string;
  dataset: string;
  bytes: number;
  packets: number;
  seconds: number;
  max_rss_mb: number;
  extra?: Record<string, unknown>;
  /** Seconds of every run, in order. */
  runs?: number[];
}

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}
const flag = (name: string): boolean => process.argv.includes(name);

function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}
const PIN = have('taskset') ? ['taskset', '-c', '1'] : [];

function ensureCapture(name: string, args: string[]): string {
  mkdirSync(CACHE, { recursive: true });
  const out = join(CACHE, name);
  if (!existsSync(out)) {
    if (!existsSync(GEN)) throw new Error(`${GEN} not found: cannot make the benchmark capture`);
    process.stderr.write(`making ${out} ...\n`);
    execFileSync('python3', [GEN, ...args, '-o', out], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  return out;
}

/** A ratio as a signed percentage: 1.052 -> `+5.2 %`. */
function pct(ratio: number): string {
  const p = (ratio - 1) * 100;
  return `${p >= 0 ? '+' : ''}${p.toFixed(1)} %`;
}

/** The q-quantile (0..1) of xs, interpolated between the two nearest ranks. */
function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const at = (s.length - 1) * q;
  const lo = Math.floor(at);
  return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (at - lo);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** One measurement of `mode` in a fresh worker process pinned to one core (unless `pinned` is false). */
function workerOnce(mode: string, file: string, dataset: string, pinned = true): Measure {
  const pin = pinned ? PIN : [];
  const r = spawnSync(pin[0] ?? process.execPath, [...pin.slice(1), ...(pin.length ? [process.execPath] : []), WORKER, mode, file], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (r.status !== 0) throw new Error(`${mode} failed: ${r.stderr}`);
  const j = JSON.parse(r.stdout.trim()) as Omit<Measure, 'dataset'> & Record<string, unknown>;
  const { mode: m, bytes, packets, seconds, max_rss_mb, ...extra } = j;
  return { mode: m, dataset, bytes, packets, seconds, max_rss_mb, extra };
}

/** tmpfs copies made by inMemory(), removed when the bench exits. */
const TMPFS_COPIES: string[] = [];
process.on('exit', () => {
  for (const f of TMPFS_COPIES) rmSync(f, { force: true });
});
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => process.exit(130));

/**
 * Where every mode reads the capture from memory: a copy in /dev/shm (tmpfs) when there is room, since on the
 * project's VM the page cache is reclaimed within seconds (53 of 954 MB of the warmed capture gone after 20 idle
 * seconds; half of it gone after a few minutes), so a warmed file is read partly from disk again, by some runs
 * more than others, and most by the mode that holds the most memory (flows-geo: +220 MB). Else the page cache,
 * warmed by one untimed read. Returns the path to read and how.
 */
function inMemory(file: string): { path: string; how: string } {
  const size = statSync(file).size;
  try {
    const fs = statfsSync('/dev/shm');
    if (fs.bavail * fs.bsize > size * 2 + (1 << 30)) {
      const copy = join('/dev/shm', `residency-bench-${process.pid}-${basename(file)}`);
      TMPFS_COPIES.push(copy);
      copyFileSync(file, copy);
      return { path: copy, how: 'tmpfs (/dev/shm)' };
    }
  } catch {
    /* no /dev/shm: the page cache */
  }
  warmPageCache(file);
  return { path: file, how: 'page cache, warmed' };
}

/** Reads the whole file once, untimed, so that what is measured next reads it from memory. */
function warmPageCache(file: string): void {
  const fd = openSync(file, 'r');
  const buf = Buffer.allocUnsafe(1 << 22);
  try {
    while (readSync(fd, buf, 0, buf.length, null) > 0) {
      /* reading is the point */
    }
  } finally {
    closeSync(fd);
  }
}

/** The median run of several (its seconds), with the largest peak RSS of them. */
function combine(results: Measure[]): Measure {
  const secs = median(results.map((r) => r.seconds));
  return { ...results[0], seconds: secs, max_rss_mb: Math.max(...results.map((r) => r.max_rss_mb)), runs: results.map((r) => r.seconds) };
}

/** Times an external command once with GNU time (wall seconds and max RSS), pinned like the workers. */
function externalOnce(mode: string, argv: string[], file: string, dataset: string): Measure | undefined {
  if (!have(argv[0]) || !existsSync('/usr/bin/time')) return undefined;
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', ...PIN, ...argv], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const last = r.stderr.trim().split('\n').pop() ?? '';
  const [e, m] = last.split(' ').map(Number);
  if (!Number.isFinite(e)) return undefined;
  return { mode, dataset, bytes: statSync(file).size, packets: 0, seconds: e, max_rss_mb: Math.round(m / 1024) };
}

/** Median wall time of a whole process; `node -e 0` is the floor no Node program can go below. */
function processMs(argv: string[], runs: number, env: NodeJS.ProcessEnv = process.env): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, argv, { encoding: 'utf8', env });
    times.push(performance.now() - t0);
    if (r.status !== 0) throw new Error(`${argv.join(' ')} failed: ${r.stderr}`);
  }
  return median(times);
}

function startupMs(runs: number, env: NodeJS.ProcessEnv = process.env): number {
  const empty = join(CACHE, 'empty.pcap');
  writeFileSync(empty, new PcapWriter({ linkType: 1, snaplen: 65535 }).toBuffer());
  return processMs([CLI, 'flows', '--no-geo', empty], runs, env);
}

/**
 * NODE_EXTRA_CA_CERTS makes every Node process parse that certificate bundle (and Node's own roots) before any
 * JavaScript runs: ~65 ms per start on the machine this was written on, where it is set machine-wide. When it is
 * set, startup is also measured without it, so the two costs can be told apart.
 */
function withoutExtraCaCerts(): NodeJS.ProcessEnv | undefined {
  if (process.env.NODE_EXTRA_CA_CERTS === undefined) return undefined;
  const env = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  return env;
}

function pipelineBench(): void {
  const mb = arg('--mb', 1000);
  const smallMb = arg('--small-mb', 256);
  const runs = arg('--runs', 3);
  const geoRounds = arg('--geo-rounds', 11);
  const external = !flag('--skip-external');
  const mixed = ensureCapture(`mix-${mb}m-s1.pcap`, ['--mb', String(mb), '--seed', '1', '--handsets', '3']);
  const small = ensureCapture(`small-${smallMb}m-s2.pcap`, ['--mb', String(smallMb), '--seed', '2', '--small-packets']);
  const all: Measure[] = [];
  /** Per-round ratios (this machine's speed drifts by ±20 % over minutes: a ratio of two runs made back to back
   *  in one round is steadier than a ratio of medians taken minutes apart). */
  const ratios: Record<string, Record<string, number[]>> = {};
  const readFrom: string[] = [];
  for (const [dataset, onDisk] of [
    ['mixed', mixed],
    ['small-packet', small],
  ] as const) {
    // Every mode reads the file from memory (a floor of 0.5 GB/s instead of ~5 GB/s was seen when the first mode
    // measured read it from disk).
    const mem = inMemory(onDisk);
    const file = mem.path;
    readFrom.push(`${dataset} from ${mem.how}`);
    process.stderr.write(`${dataset}: floor, pcap-parser ...\n`);
    all.push(combine(Array.from({ length: runs }, () => workerOnce('floor', file, dataset))));
    all.push(workerOnce('pcap-parser', file, dataset));
    const ndpiArgv = ['ndpiReader', '-q', '-i', file, '-C', join(CACHE, 'ndpi.csv')];
    const rounds: Record<string, Measure[]> = { flows: [], 'flows-geo': [], 'ndpiReader -C': [] };
    const r: Record<string, number[]> = { 'ndpiReader -C': [], 'flows-geo': [], 'flows-geo cpu': [], 'flows-geo unpinned': [], 'flows-geo enrich': [] };
    // On the mixed capture, extra pinned flows/flows-geo pairs (--geo-rounds): the geolocation target is a 10 %
    // bound on a ratio whose rounds spread by ±10 % on this VM, and the median of more rounds moves less.
    const pairs = dataset === 'mixed' ? Math.max(runs, geoRounds) : runs;
    for (let i = 0; i < pairs; i++) {
      const full = i < runs;
      // One round: flows, flows-geo and ndpiReader back to back (extra rounds: the pinned pair only).
      process.stderr.write(`${dataset}: round ${i + 1}/${pairs} (flows, flows-geo${full && external ? ', ndpiReader' : ''}${full && dataset === 'mixed' && PIN.length > 0 ? ', flows and flows-geo not pinned' : ''}) ...\n`);
      // flows first in even rounds, flows-geo first in odd ones: a drift of the machine's speed within a round
      // then favours neither side of the ratio.
      const geoFirst = i % 2 === 1;
      const g0 = geoFirst ? workerOnce('flows-geo', file, dataset) : undefined;
      const f = workerOnce('flows', file, dataset);
      const g = g0 ?? workerOnce('flows-geo', file, dataset);
      r['flows-geo'].push(g.seconds / f.seconds);
      // CPU time of all the process's threads (V8 compiles and collects garbage on helper threads).
      r['flows-geo cpu'].push(Number(g.extra?.cpu_seconds) / Number(f.extra?.cpu_seconds));
      // The enrichment time measured inside flows-geo, over the rest of that same run.
      const enrich = Number(g.extra?.enrich_seconds);
      r['flows-geo enrich'].push((g.seconds) / (g.seconds - enrich));
      if (!full) continue;
      rounds.flows.push(f);
      rounds['flows-geo'].push(g);
      if (dataset === 'mixed' && PIN.length > 0) {
        // The same pair as a user runs it, on every core: V8's helper threads then work beside the pipeline.
        const gu0 = geoFirst ? workerOnce('flows-geo', file, dataset, false) : undefined;
        const fu = workerOnce('flows', file, dataset, false);
        const gu = gu0 ?? workerOnce('flows-geo', file, dataset, false);
        r['flows-geo unpinned'].push(gu.seconds / fu.seconds);
      }
      const nd = external ? externalOnce('ndpiReader -C', ndpiArgv, file, dataset) : undefined;
      if (nd !== undefined) {
        rounds['ndpiReader -C'].push(nd);
        r['ndpiReader -C'].push(nd.seconds / f.seconds);
      }
    }
    for (const k of Object.keys(rounds)) if (rounds[k].length > 0) all.push(combine(rounds[k]));
    ratios[dataset] = r;
    if (external) {
      process.stderr.write(`${dataset}: tshark ...\n`);
      const ts = externalOnce(
        'tshark fields',
        ['tshark', '-n', '-r', file, '-T', 'fields', '-e', 'frame.number', '-e', 'dns.qry.name', '-e',
          'tls.handshake.extensions_server_name', '-e', 'http.host', '-Y', 'dns || tls.handshake.type == 1 || http.request'],
        file, dataset,
      );
      if (ts) all.push(ts);
    }
    if (file !== onDisk) rmSync(file, { force: true }); // the next capture's copy needs the room
  }
  const start = startupMs(9);
  const nodeFloor = processMs(['-e', '0'], 9);
  const noCa = withoutExtraCaCerts();
  const startNoCa = noCa !== undefined ? startupMs(9, noCa) : undefined;
  const nodeFloorNoCa = noCa !== undefined ? processMs(['-e', '0'], 9, noCa) : undefined;
  const lines: string[] = [];
  lines.push(`residency bench — node ${process.version}, ${PIN.length ? 'pinned to one core (taskset -c 1)' : 'not pinned'}, median of ${runs} rounds (flows, flows-geo and ndpiReader back to back in each); floor median of ${runs}; pcap-parser and tshark once; captures read from memory: ${readFrom.join(', ')}`);
  lines.push('');
  lines.push('| dataset | mode | MB/s | packets/s | peak RSS MB | ours (flows) ÷ this |');
  lines.push('|---|---|---:|---:|---:|---:|');
  for (const ds of ['mixed', 'small-packet']) {
    const ours = all.find((m) => m.dataset === ds && m.mode === 'flows') as Measure;
    const oursMbs = ours.bytes / 1e6 / ours.seconds;
    for (const m of all.filter((x) => x.dataset === ds)) {
      const mbs = m.bytes / 1e6 / m.seconds;
      const pps = m.packets > 0 ? Math.round(m.packets / m.seconds).toLocaleString('en-US') : '-';
      lines.push(`| ${ds} (${(m.bytes / 1e6).toFixed(0)} MB) | ${m.mode} | ${mbs.toFixed(0)} | ${pps} | ${m.max_rss_mb} | ${(oursMbs / mbs).toFixed(2)}× |`);
    }
  }
  lines.push('');
  for (const ds of Object.keys(ratios)) {
    const nd = ratios[ds]['ndpiReader -C'];
    if (nd.length > 0) {
      lines.push(`${ds}: ndpiReader ÷ flows per round (back to back): ${nd.map((x) => x.toFixed(2)).join(', ')}; median ${median(nd).toFixed(2)}×`);
    }
  }
  const perGeoRound = ratios.mixed?.['flows-geo'] ?? [];
  if (perGeoRound.length > 0) {
    lines.push(`mixed: flows-geo ÷ flows per round: ${perGeoRound.map((x) => x.toFixed(3)).join(', ')}; median ${pct(median(perGeoRound))}, middle half ${pct(quantile(perGeoRound, 0.25))} to ${pct(quantile(perGeoRound, 0.75))}`);
    const en = ratios.mixed['flows-geo enrich'];
    lines.push(`mixed: flows-geo ÷ (flows-geo minus its enrichment time, measured inside the run) per round: ${en.map((x) => x.toFixed(3)).join(', ')}; median ${pct(median(en))}`);
    const cpu = ratios.mixed['flows-geo cpu'];
    lines.push(`mixed: flows-geo ÷ flows CPU time (all threads) per round: ${cpu.map((x) => x.toFixed(3)).join(', ')}; median ${pct(median(cpu))}`);
    const un = ratios.mixed['flows-geo unpinned'];
    if (un.length > 0) {
      lines.push(`mixed: flows-geo ÷ flows not pinned (${availableParallelism()} cores) per round: ${un.map((x) => x.toFixed(3)).join(', ')}; median ${pct(median(un))}`);
    }
  }
  const geo = all.find((m) => m.dataset === 'mixed' && m.mode === 'flows-geo');
  const nogeo = all.find((m) => m.dataset === 'mixed' && m.mode === 'flows');
  if (geo && nogeo) {
    const load = Number(geo.extra?.geo_load_seconds ?? 0);
    lines.push('');
    const perRound = ratios.mixed?.['flows-geo'] ?? [];
    const pct = (x: number): string => `${((x - 1) * 100).toFixed(1)} %`;
    // Both statistics: the median of the per-round ratios (each a back-to-back pair) and the ratio of the medians.
    const inRun = ratios.mixed?.['flows-geo enrich'] ?? [];
    lines.push(
      `geolocation: flows-geo takes ${perRound.length ? pct(median(perRound)) : '?'} longer than flows by the median of ${perRound.length} rounds ` +
        `(middle half ${pct(quantile(perRound, 0.25))} to ${pct(quantile(perRound, 0.75))}), ${pct(geo.seconds / nogeo.seconds)} by the ratio of the medians of the first ${runs}; ` +
        `enrichment measured inside the runs: ${pct(median(inRun))} of the rest (pipeline only; databases opened in ${load.toFixed(2)} s before the clock starts), RSS +${geo.max_rss_mb - nogeo.max_rss_mb} MB`,
    );
  }
  lines.push(`startup (flows --no-geo on an empty capture, whole process, median of 9): ${start.toFixed(0)} ms; \`node -e 0\` on this machine: ${nodeFloor.toFixed(0)} ms`);
  if (startNoCa !== undefined && nodeFloorNoCa !== undefined) {
    lines.push(`  NODE_EXTRA_CA_CERTS is set here (Node parses that bundle at every start); without it: ${startNoCa.toFixed(0)} ms, \`node -e 0\` ${nodeFloorNoCa.toFixed(0)} ms`);
  }
  process.stdout.write(lines.join('\n') + '\n');
  const jsonOut = process.argv.indexOf('--json');
  if (jsonOut >= 0) writeFileSync(process.argv[jsonOut + 1], JSON.stringify({ node: process.version, runs, geo_rounds: geoRounds, results: all, ratios, startup_ms: start, node_startup_ms: nodeFloor, startup_ms_without_extra_ca_certs: startNoCa, node_startup_ms_without_extra_ca_certs: nodeFloorNoCa }, null, 2));
}

/** `--user-sizes 30,300,1000`: the mixed captures timed as users run them (default 30, 300 and --mb). */
function sizesArg(): number[] {
  const i = process.argv.indexOf('--user-sizes');
  const text = i >= 0 ? process.argv[i + 1] : `30,300,${arg('--mb', 1000)}`;
  return text.split(',').map(Number).filter((x) => x > 0);
}

const USAGE = `npm run bench -- [options]: whole-capture throughput against ndpiReader and tshark, then timings as users run it
  --mb N             size of the mixed capture in MB (default 1000)
  --small-mb N       size of the small-packet capture (default 256)
  --runs N           rounds (default 3)
  --geo-rounds N     pinned flows/flows-geo pairs on the mixed capture (default 11; at least --runs)
  --user-sizes LIST  mixed captures timed as users run them (default 30,300,--mb)
  --split-mb N       the one capture timed at --jobs 2 (default 300)
  --batch-mb N       each of the four captures of the batch (default 75)
  --users-only       only the timings as users run them
  --fixed-only       only the fixed cost (startup and opening the geolocation data, cold and warm; about a minute)
  --skip-external    no ndpiReader or tshark in the throughput part
  --json FILE, --users-json FILE   also write the results as JSON
Captures are made once under .cache/bench/ (../shared/bench/gen-capture.py).
`;

function main(): void {
  if (flag('--help') || flag('-h')) {
    process.stdout.write(USAGE);
    return;
  }
  // --fixed-only: only the fixed cost (startup and opening the geolocation data; a minute).
  if (flag('--fixed-only')) {
    process.stdout.write(fixedCost({ root: ROOT, cache: CACHE }).lines.join('\n') + '\n');
    return;
  }
  // --users-only: only the timings as users run them (a short check of the bench itself with small sizes).
  if (!flag('--users-only')) pipelineBench();
  const u = userBench({
    root: ROOT,
    cache: CACHE,
    gen: GEN,
    sizes: sizesArg(),
    smallMb: arg('--small-mb', 256),
    batchMb: arg('--batch-mb', 75),
    splitMb: arg('--split-mb', 300),
    rounds: arg('--runs', 3),
    budgetMb: MEMORY_BUDGET_GEO_MB,
  });
  process.stdout.write('\n' + u.lines.join('\n') + '\n');
  const i = process.argv.indexOf('--users-json');
  if (i >= 0) writeFileSync(process.argv[i + 1], JSON.stringify(u.json, null, 2));
}

main();
