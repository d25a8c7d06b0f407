// Stages import only downward. Parses every import (static, dynamic, type-only) of src/, maps each file to its
// stage (its folder under src/, or its own name for a file at the top of src/, `pipeline/` being the back half,
// the claims vocabulary of audit/ being `claims`),
// and fails on an import from a stage to one above it in LAYERS, and on any cycle between stages. The same order
// is drawn in docs/architecture.md.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src');

/** Bottom to top; a stage may import its own layer's stages and any below. */
export const LAYERS: readonly (readonly string[])[] = [
  ['types', 'limits', 'errors', 'version', 'number-fields', 'anomalies', 'memory-budget', 'physics', 'file-sha256'], // shared vocabulary, bounds (and the one memory budget), the anomaly catalogue, distance and light in fibre, file hashes
  ['capture'], // capture files -> raw packets
  ['decode'], // link/IP/transport headers, IP text
  ['flow'], // flow table, flow records and the name they are known by
  ['extract'], // TLS, QUIC, HTTP, DNS extractors
  ['naming'], // per-client DNS name cache
  ['pipeline', 'oracle-doc', 'oracle-spill'], // the front half (pipeline.ts), the oracle document it feeds and its bounded-memory lists
  ['geo'], // geolocation
  ['logs'], // Zeek/Suricata logs read as input
  ['input'], // captures or logs, by content
  ['synth'], // writers of synthetic captures and logs (tests, fixtures)
  ['store'], // the case store
  ['claims'], // audit/: the claims file, its country and provider names, the report model's types
  ['vantage'], // labs and measurement files: feasible regions, anycast (reads the claims file's labs and files)
  ['audit'], // attribution, the physical rule per destination (vantage-check), verdicts, the report model
  ['report'], // renderers
  ['back-half'], // pipeline/: the order after the flow record (geolocation, vantage rule, audit)
  ['regress'], // the scheduled regression
  ['distributed'], // distributed ingest: ingest jobs, workers, the coordinator (PostgreSQL store, pg-boss)
  ['cli'], // commands, exit codes; jobs/ (--jobs: child processes, split workers) counts as part of it
  ['index'], // the library's public surface
];

const layerOf = new Map<string, number>();
LAYERS.forEach((l, i) => l.forEach((s) => layerOf.set(s, i)));

/** Files of audit/ that are the claims file's and the report's vocabulary: vantage/ reads them, audit/ reads vantage/. */
const CLAIMS_FILES: ReadonlySet<string> = new Set(
  ['claims', 'report-model', 'country-codes', 'country-groups', 'name-suggestions', 'provider-ids'].map((n) => `audit/${n}.ts`),
);

function stageOf(file: string): string {
  const rel = path.relative(src, file).split(path.sep);
  if (rel.length === 1) return rel[0].replace(/\.ts$/, '');
  if (CLAIMS_FILES.has(rel.join('/'))) return 'claims';
  // jobs/ runs commands on several cores (child processes re-running the CLI, worker threads of a split capture):
  // part of the command layer, which it serves and reads (CliIo, terminal text).
  return rel[0] === 'pipeline' ? 'back-half' : rel[0] === 'jobs' ? 'cli' : rel[0];
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Every relative import of every source file: [from stage, to stage, file, specifier]. */
function imports(): [string, string, string, string][] {
  const out: [string, string, string, string][] = [];
  const re = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm;
  for (const f of files(src)) {
    for (const m of readFileSync(f, 'utf8').matchAll(re)) {
      const target = path.resolve(path.dirname(f), m[1]).replace(/\.js$/, '.ts');
      out.push([stageOf(f), stageOf(target), path.relative(src, f), m[1]]);
    }
  }
  return out;
}

describe('import layers', () => {
  const all = imports();

  it('finds the imports it checks', () => {
    expect(all.length).toBeGreaterThan(300);
    expect(all.some(([a, b]) => a === 'audit' && b === 'store')).toBe(true);
  });

  it('puts every stage in a layer', () => {
    const unknown = [...new Set(all.flatMap(([a, b]) => [a, b]))].filter((s) => !layerOf.has(s));
    expect(unknown).toEqual([]);
  });

  it('has no upward import', () => {
    const upward = all
      .filter(([a, b]) => a !== b && (layerOf.get(b) ?? 0) > (layerOf.get(a) ?? 0))
      .map(([a, b, f, spec]) => `${a} -> ${b}: ${f} imports ${spec}`);
    expect(upward).toEqual([]);
  });

  it('has no cycle between stages', () => {
    const edges = new Map<string, Set<string>>();
    for (const [a, b] of all) if (a !== b) (edges.get(a) ?? edges.set(a, new Set()).get(a))!.add(b);
    // Tarjan's strongly connected components: any with more than one stage is a cycle.
    let index = 0;
    const idx = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const on = new Set<string>();
    const cycles: string[][] = [];
    const visit = (v: string): void => {
      idx.set(v, index);
      low.set(v, index++);
      stack.push(v);
      on.add(v);
      for (const w of edges.get(v) ?? []) {
        if (!idx.has(w)) {
          visit(w);
          low.set(v, Math.min(low.get(v)!, low.get(w)!));
        } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
      }
      if (low.get(v) === idx.get(v)) {
        const scc: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          on.delete(w);
          scc.push(w);
        } while (w !== v);
        if (scc.length > 1) cycles.push(scc.sort());
      }
    };
    for (const v of edges.keys()) if (!idx.has(v)) visit(v);
    expect(cycles).toEqual([]);
  });
});
