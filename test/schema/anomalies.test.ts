// The anomaly catalogue (src/anomalies.ts) against the sources that emit anomalies and the README that lists them:
// every anomaly-like name in the analysis stages' sources is catalogued (so a new one, e.g. merged from another
// branch, fails here by name until it is added), every catalogued name is still used somewhere, the decoder's
// counters are the catalogue's, and the README's generated section and anomaly tables list exactly the catalogue.
// The emitters take the catalogue's types (Flow.addAnomaly(FlowAnomaly), ReadContext.warn(WarningCode), ...), so
// `npm run typecheck` also fails on a name that is not here: see the @ts-expect-error lines at the end. What runs
// really emit is held to the catalogue by anomalies-emitted.test.ts.

import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ANOMALIES, COUNTERS, STAGES, type AnomalyCode, type CounterName, type FlowAnomaly, type Stage, type WarningCode } from '../../src/anomalies.js';
import { Decoder } from '../../src/decode/decoder.js';
import { Flow } from '../../src/flow/flow.js';
import { REPO_ROOT } from '../conformance/shared-corpus.js';
import { BEGIN, END, renderAnomalySection } from '../../scripts/readme-anomalies.js';
import { RECORD_KINDS, loadSchema, type RecordKind, type SchemaNode } from './record-schemas.js';
import { interfaceFields } from './ts-shapes.js';

const SRC = join(REPO_ROOT, 'src');
const README = join(REPO_ROOT, 'README.md');
const CATALOGUE = join(SRC, 'anomalies.ts');

/** Where anomalies are emitted: the analysis stages. Left out: the audit, reports, regression, store, CLI, the
 *  back-half orchestrator (src/pipeline/) and distributed ingest (src/distributed/: PostgreSQL settings such as
 *  `tcp_keepalives_idle`), whose own codes and fields (verdict reasons such as `capture_missing`, error codes,
 *  `capture_sha256`) share prefixes but are no anomalies; the synthetic packet builders. */
const SKIP_DIRS = new Set(['audit', 'report', 'regress', 'store', 'cli', 'synth', 'vantage', 'pipeline', 'distributed']);

/** The prefix each stage's names take (snake_case, protocol prefix). */
const STAGE_PREFIXES: Record<Stage, string[]> = {
  capture: ['capture', 'pcap', 'pcapng', 'gzip'],
  decode: ['ip', 'ipv4', 'ipv6'],
  flow: ['flow'],
  tcp: ['tcp'],
  dns: ['dns', 'mdns', 'llmnr'],
  tls: ['tls'],
  dtls: ['dtls'],
  quic: ['quic'],
  http: ['http'],
  logs: ['log', 'eve', 'zeek', 'suricata'],
  memory: ['memory'],
};
/** snake_case words with these prefixes in the sources (string literals, property names, words inside messages) are
 *  taken for anomaly names; the extra prefixes are for stages that have none yet. */
const PREFIXES = new Set([...Object.values(STAGE_PREFIXES).flat(), 'udp', 'frag', 'geo', 'memory', 'naming']);

/** Words with an anomaly prefix that are not anomalies, and why. Record fields and enum values (the schemas), fields
 *  of the capture summary (CaptureSummary) and error codes (`new XError('code', ...)`) are recognised without being
 *  listed here. */
const NOT_ANOMALIES: Record<string, string> = {
  ip_prefix: 'a key of AWS ip-ranges.json (src/geo/provider-ranges.ts)',
  ipv6_prefix: 'a key of AWS ip-ranges.json',
  ipv6_prefixes: 'a key of AWS ip-ranges.json',
  pcap_cnt: "a field of Suricata's eve.json (src/logs/suricata-eve.ts)",
  tcp_flags_ts: "a field of Suricata's eve.json",
  tcp_flags_tc: "a field of Suricata's eve.json",
};

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (!(dir === SRC && SKIP_DIRS.has(e.name))) out.push(...sourceFiles(p));
    } else if (e.name.endsWith('.ts') && p !== CATALOGUE) out.push(p);
  }
  return out.sort();
}

/** Every property name and enum value of the record schemas. */
function schemaWords(): Set<string> {
  const out = new Set<string>();
  const walk = (n: SchemaNode): void => {
    for (const v of n.enum ?? []) if (typeof v === 'string') out.add(v);
    for (const [k, v] of Object.entries(n.properties ?? {})) {
      out.add(k);
      walk(v);
    }
    for (const v of Object.values(n.$defs ?? {})) walk(v);
    if (n.items !== undefined) walk(n.items);
  };
  for (const k of Object.keys(RECORD_KINDS) as RecordKind[]) walk(loadSchema(k));
  return out;
}

interface Word {
  name: string;
  where: string;
}

/** snake_case words with an anomaly prefix in the code (comments left out), and the error codes given to
 *  `new ...Error('code'`. */
function scan(): { words: Word[]; errorCodes: Set<string> } {
  const words: Word[] = [];
  const errorCodes = new Set<string>();
  for (const file of sourceFiles(SRC)) {
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((text, i) => {
      if (/^\s*(\/\/|\*|\/\*)/.test(text)) return;
      const line = text.replace(/\s\/\/ .*$/, '');
      for (const m of line.matchAll(/Error\(\s*'([a-z0-9_]+)'/g)) errorCodes.add(m[1]);
      for (const m of line.matchAll(/\b([a-z][a-z0-9]*(?:_[a-z0-9]+)+)\b/g)) {
        if (PREFIXES.has(m[1].slice(0, m[1].indexOf('_')))) words.push({ name: m[1], where: `${relative(REPO_ROOT, file)}:${i + 1}` });
      }
    });
  }
  return { words, errorCodes };
}

const catalogued = new Set<string>([...Object.keys(ANOMALIES), ...Object.keys(COUNTERS)]);

describe('anomaly catalogue (src/anomalies.ts)', () => {
  it('names are snake_case with their stage\'s prefix, one sentence of meaning each', () => {
    const bad: string[] = [];
    for (const [name, e] of [...Object.entries(ANOMALIES)] as [string, { stage: Stage; meaning: string }][]) {
      const prefix = name.slice(0, name.indexOf('_'));
      if (!/^[a-z][a-z0-9]*(_[a-z0-9]+)+$/.test(name)) bad.push(`${name}: not snake_case with a prefix`);
      else if (!STAGE_PREFIXES[e.stage].includes(prefix)) bad.push(`${name}: stage ${e.stage} takes the prefixes ${STAGE_PREFIXES[e.stage].join(', ')}`);
    }
    for (const [name, e] of [...Object.entries(ANOMALIES), ...Object.entries(COUNTERS)] as [string, { stage: Stage; meaning: string }][]) {
      if (!STAGES.includes(e.stage)) bad.push(`${name}: unknown stage ${e.stage}`);
      if (!/^[A-Z`].*\.$/.test(e.meaning) || e.meaning.includes('|')) bad.push(`${name}: the meaning should be one sentence (capital, full stop, no |)`);
    }
    expect(bad).toEqual([]);
  });

  it('every anomaly-like name in the analysis sources is catalogued (else: add it to src/anomalies.ts)', () => {
    const { words, errorCodes } = scan();
    expect(words.length).toBeGreaterThan(100);
    const known = new Set([...schemaWords(), ...interfaceFields('CaptureSummary').keys()]);
    const first = new Map<string, Word>();
    for (const w of words) if (!first.has(w.name)) first.set(w.name, w);
    const missing = [...first.values()]
      .filter((l) => !catalogued.has(l.name) && !known.has(l.name) && !errorCodes.has(l.name) && !(l.name in NOT_ANOMALIES))
      .map((l) => `${l.name} (${l.where}) is not in src/anomalies.ts: add it (stage, where, meaning) and run \`npm run readme:anomalies\`; ` +
        'if it is no anomaly, list it in NOT_ANOMALIES in test/schema/anomalies.test.ts with why');
    expect(missing).toEqual([]);
  });

  it('every catalogued name is still used by the sources', () => {
    const text = sourceFiles(SRC).map((f) => readFileSync(f, 'utf8')).join('\n');
    const unused = [...catalogued].filter((n) => !new RegExp(`\\b${n}\\b`).test(text));
    expect(unused, 'catalogued but used nowhere in src/: remove them from src/anomalies.ts').toEqual([]);
  });

  it("the decoder's counters are the catalogue's decode and capture counters", () => {
    const decoder = Object.keys(new Decoder().counters).sort();
    const expected = (Object.entries(COUNTERS) as [CounterName, { stage: Stage }][])
      .filter(([, e]) => e.stage === 'decode' || e.stage === 'capture').map(([n]) => n).sort();
    expect(decoder).toEqual(expected);
  });

  it('a flow keeps each anomaly once, as the same constant string', () => {
    const f = new Flow(1, 6, 4, new Int32Array(8), 1, 2, 0, 0, 1, -1);
    f.addAnomaly('tcp_capture_gap');
    f.addAnomaly('tcp_capture_gap');
    f.addAnomaly('flow_table_full');
    expect(f.anomalies).toEqual(['tcp_capture_gap', 'flow_table_full']);
  });
});

describe('README (anomalies)', () => {
  const readme = readFileSync(README, 'utf8');

  it('the "Anomalies, warnings and counters" section is the catalogue (npm run readme:anomalies writes it)', () => {
    const a = readme.indexOf(BEGIN);
    const b = readme.indexOf(END);
    expect(a, `README.md lacks the marker ${BEGIN}`).toBeGreaterThanOrEqual(0);
    expect(b).toBeGreaterThan(a);
    expect(readme.slice(a + BEGIN.length + 1, b - 1), 'README.md differs from src/anomalies.ts: run `npm run readme:anomalies`').toBe(renderAnomalySection());
  });

  it('its other anomaly tables name only catalogued anomalies', () => {
    const lines = readme.split('\n');
    const wrong: string[] = [];
    let inTable = false;
    lines.forEach((line, i) => {
      if (!line.startsWith('|')) {
        inTable = false;
        return;
      }
      if (/^\| (anomaly|code) \|/.test(line)) inTable = true;
      else if (inTable && !line.startsWith('|---')) {
        const first = line.split(' | ')[0];
        for (const m of first.matchAll(/`([a-z][a-z0-9_]*)`/g)) {
          if (!catalogued.has(m[1])) wrong.push(`README.md:${i + 1}: ${m[1]} is not in src/anomalies.ts`);
        }
      }
    });
    expect(wrong).toEqual([]);
  });
});

// Type-level: the emitters only take catalogued names (checked by `npm run typecheck`; the build checks src/).
// @ts-expect-error a name that is not in the catalogue
const typo: FlowAnomaly = 'tcp_capture_gapp';
// @ts-expect-error a warning is no flow anomaly
const notOnFlows: FlowAnomaly = 'pcap_truncated_record';
const warning: WarningCode = 'pcap_truncated_record';
const any: AnomalyCode = 'log_line_malformed';
void [typo, notOnFlows, warning, any];
