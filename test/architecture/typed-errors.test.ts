// Errors that stop a run are typed, with stable codes (src/errors.ts; issue 15.1: "no plain Error for user
// mistakes"). Scans every source file of src/ for a plain `Error` (or RangeError, TypeError, SyntaxError) being
// thrown or rejected, and fails on one that is not an invariant listed below with why it cannot come from user
// input. Also: every code the source throws is in the README's error-code table (or, for a capture's first
// header, its warning table), and every row of that table is a code the source throws.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const src = path.join(repo, 'src');

interface Invariant {
  /** File under src/. */
  file: string;
  /** The start of the thrown message as written in the source. */
  message: string;
  /** Why no user input reaches it. */
  why: string;
  /** In a folder another change is rewriting (src/geo, src/jobs): the site may go away without this list failing. */
  mayVanish?: true;
}

/** The plain throws allowed in src/: internal invariants (a bug or a broken install when they fire). */
const INVARIANTS: readonly Invariant[] = [
  { file: 'cli/launcher.ts', message: '`${file}: not a residency command bundle`', why: 'the build writes every bundle with a run export' },
  { file: 'version.ts', message: "'package.json not found'", why: 'package.json ships with every install' },
  { file: 'synth/packets.ts', message: '`bad IPv4 address', why: 'the synthesiser is called by tests and scripts, never on user input' },
  { file: 'synth/packets.ts', message: '`bad IPv6 address', why: 'as above' },
  { file: 'synth/packets.ts', message: '`linkFrame: unsupported link type', why: 'as above' },
  { file: 'synth/quic.ts', message: '`no QUIC version named', why: 'as above' },
  { file: 'synth/quic.ts', message: "'varint too large for the synthesiser'", why: 'as above' },
  { file: 'synth/quic.ts', message: "'maxDatagram too small for the connection IDs'", why: 'as above' },
  { file: 'extract/quic/hmac-sha256.ts', message: '`HMAC key of', why: 'keys are derived by the QUIC extractor with a fixed length (RFC 9001 5.2)' },
  { file: 'extract/quic/hmac-sha256.ts', message: '`HMAC message of', why: 'messages are HKDF labels the extractor builds, bounded' },
  { file: 'geo/address.ts', message: '`bad built-in range', why: 'the ranges are constants of the source', mayVanish: true },
  { file: 'geo/mmdb-file.ts', message: "'bad mmdb metadata'", why: 'caught where the file is used (sources.ts GeoSource.read/get/asn): a damaged or hostile data file makes that source answer nothing (its provenance and a warning say why), never stops a run' },
  { file: 'geo/mmdb-file.ts', message: "'mmdb search tree runs past", why: 'as above' },
  { file: 'geo/mmdb-file.ts', message: "'no MaxMind DB metadata'", why: 'as above' },
  { file: 'geo/mmdb-file.ts', message: '`mmdb record too deep or too large', why: 'as above' },
  { file: 'geo/mmdb-file.ts', message: '`bad mmdb extended type', why: 'as above' },
  { file: 'geo/mmdb-file.ts', message: '`bad mmdb value', why: 'as above' },
  { file: 'geo/paged-file.ts', message: '`offset ${off}', why: 'as above (PagedFile serves mmdb-file.ts and asn-table.ts only)' },
  { file: 'geo/paged-file.ts', message: "'file closed'", why: 'as above' },
  { file: 'geo/paged-file.ts', message: '`file shorter than it was', why: 'as above' },
  { file: 'jobs/worker.ts', message: '`unknown residency worker job', why: 'the parent process writes every job message', mayVanish: true },
  { file: 'jobs/split-worker.ts', message: "'a split worker runs in a worker thread'", why: 'only the split scheduler starts it', mayVanish: true },
];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const sources = files(src).map((f) => ({ file: path.relative(src, f).split(path.sep).join('/'), text: readFileSync(f, 'utf8') }));

interface PlainThrow {
  file: string;
  line: number;
  /** What follows `Error(`, as written (the message's first characters). */
  message: string;
}

/** Every `throw [new] Error(...)` / RangeError / TypeError / SyntaxError and `reject(new Error(...))` of a text. */
function plainThrows(file: string, text: string): PlainThrow[] {
  const re = /\b(?:throw\s+(?:new\s+)?|reject\(\s*new\s+)(?:Range|Type|Syntax)?Error\(\s*/g;
  const out: PlainThrow[] = [];
  for (const m of text.matchAll(re)) {
    const at = (m.index ?? 0) + m[0].length;
    out.push({ file, line: text.slice(0, m.index).split('\n').length, message: text.slice(at, at + 80) });
  }
  return out;
}

/** The codes a source text throws: the first argument of a typed error written as a literal, and storeError's. */
function thrownCodes(text: string): string[] {
  const typed = [...text.matchAll(/new (?:UsageError|CaptureError|StoreError|WriteError)\(\s*'([a-z0-9_]+)'/g)].map((m) => m[1]);
  const store = [...text.matchAll(/storeError\([^()]*?'(store_[a-z0-9_]+)'/g)].map((m) => m[1]);
  return [...typed, ...store];
}

/** The codes of PcapngParser.fail: an error with the warning's code in the first section header, else a warning. */
function headerCodes(text: string): string[] {
  return [...text.matchAll(/this\.fail\(\s*'([a-z0-9_]+)'/g)].map((m) => m[1]);
}

/** The codes of the first column of the README table under `heading` (its first table, rows up to a non-row). */
function readmeTableCodes(heading: string, firstCell = '| code |'): string[] {
  const lines = readFileSync(path.join(repo, 'README.md'), 'utf8').split('\n');
  const start = lines.indexOf(heading);
  if (start < 0) throw new Error(`README.md has no heading "${heading}"`);
  let i = start + 1;
  while (i < lines.length && !lines[i].startsWith(firstCell)) i++;
  const out: string[] = [];
  for (i += 2; i < lines.length && lines[i].startsWith('| '); i++) {
    const first = lines[i].split(' | ')[0];
    out.push(...[...first.matchAll(/`([a-z0-9_]+)`/g)].map((m) => m[1]));
  }
  return out;
}

describe('typed errors (src/errors.ts)', () => {
  const found = sources.flatMap((s) => plainThrows(s.file, s.text));

  it('finds plain throws, and the scan matches every form it looks for (so it can fail)', () => {
    expect(found.length).toBeGreaterThan(5);
    const sample = "throw new Error('a');\nthrow Error(`b`);\nreject(new Error('c'));\nthrow new RangeError('d');\nthrow new UsageError('x', 'e');";
    expect(plainThrows('f.ts', sample).map((t) => [t.line, t.message.slice(0, 3)])).toEqual([[1, "'a'"], [2, '`b`'], [3, "'c'"], [4, "'d'"]]);
  });

  it('throws no plain Error in src/ outside the invariants listed here', () => {
    const allowed = (t: PlainThrow) => INVARIANTS.some((i) => i.file === t.file && t.message.startsWith(i.message));
    const stray = found.filter((t) => !allowed(t)).map((t) => `src/${t.file}:${t.line}: throws a plain Error(${t.message.split('\n')[0]}…): ` +
      'throw a typed error with a stable code (src/errors.ts, README "Error codes"), or list it here as an invariant with why');
    expect(stray).toEqual([]);
  });

  it('lists no invariant that is gone from src/ (outside folders being rewritten)', () => {
    const gone = INVARIANTS.filter((i) => !i.mayVanish && !found.some((t) => t.file === i.file && t.message.startsWith(i.message)));
    expect(gone.map((i) => `src/${i.file}: ${i.message}`)).toEqual([]);
  });

  it('documents every code src/ throws in the README, and no code it does not throw', () => {
    const thrown = new Set(sources.flatMap((s) => thrownCodes(s.text)));
    expect(thrown.size).toBeGreaterThan(30);
    const errorTable = readmeTableCodes('### Error codes', '| error code |');
    const undocumented = [...thrown].filter((c) => !errorTable.includes(c)).sort();
    expect(undocumented, 'codes thrown in src/ but not in the README table under "### Error codes"').toEqual([]);
    const anomalies = new Set(readmeTableCodes('## Anomalies, warnings and counters', '| anomaly |'));
    expect(anomalies.size).toBeGreaterThan(30);
    const header = new Set(sources.flatMap((s) => headerCodes(s.text)));
    expect(header.size).toBeGreaterThan(2);
    const headerUndocumented = [...header].filter((c) => !errorTable.includes(c) && !anomalies.has(c)).sort();
    expect(headerUndocumented, 'pcapng header codes in neither the error-code nor the anomaly table').toEqual([]);
    // gzip_corrupt reaches CaptureError through a variable (src/capture/reader.ts, a damaged stream before the header).
    const notThrown = errorTable.filter((c) => !thrown.has(c) && !header.has(c) && c !== 'gzip_corrupt');
    expect(notThrown, 'README error codes no source throws').toEqual([]);
    expect(new Set(errorTable).size).toBe(errorTable.length);
  });
});
