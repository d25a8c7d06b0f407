// Claims-file paths and sizes: captures stay in the claims file's folder unless allowed, each file is read once
// whatever links lead to it, link loops end, walks are bounded, a listed file that is not a capture is skipped
// with a reason while the audit goes on, and the claims file's own size, alias expansion and vendor count are
// checked before they cost anything. The repro inputs run when ../shared/repro is there.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, symlinkSync, writeFileSync, ftruncateSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listedCaptures } from '../../src/audit/attribution.js';
import { expandCapturePattern } from '../../src/audit/capture-glob.js';
import { loadClaims, parseClaims } from '../../src/audit/claims.js';
import { runAudit } from '../../src/pipeline/back-half.js';
import { MAX_CLAIMS_FILE_BYTES, MAX_CLAIMS_VENDORS, MAX_GLOB_DEPTH } from '../../src/limits.js';
import { SHARED } from '../conformance/shared-corpus.js';
import { buildHandsetCapture } from '../pipeline/handset-capture.js';

function claimsText(captures: string[], vendors = 1): string {
  const list = captures.map((c) => JSON.stringify(c)).join(', ');
  let t = 'vendors:\n';
  for (let i = 0; i < vendors; i++) {
    t += `  - name: V${i}\n    captures: [${list}]\n    first_party: [alder-sync.com]\n    claims:\n      - { id: c${i}, text: t, country: SG }\n`;
  }
  return t;
}

/** A case folder: claims file, captures, optional links; returns the parsed claims. */
function caseDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'claims-paths-'));
}

describe('captures: links, loops and bounds', () => {
  it('a folder linking to itself twice (loop2/a -> ., loop2/b -> .): the walk ends and lists the capture once', () => {
    const dir = caseDir();
    mkdirSync(path.join(dir, 'loop2'));
    writeFileSync(path.join(dir, 'loop2', 'small1.pcap'), buildHandsetCapture().pcap);
    symlinkSync('.', path.join(dir, 'loop2', 'a'));
    symlinkSync('.', path.join(dir, 'loop2', 'b'));
    symlinkSync('..', path.join(dir, 'loop2', 'up'));
    expect(expandCapturePattern(dir, 'loop2/**/*.pcap')).toEqual([path.join(dir, 'loop2', 'small1.pcap')]);
    expect(expandCapturePattern(dir, '**/*.pcap')).toEqual([path.join(dir, 'loop2', 'small1.pcap')]);
  });

  it('one file reached by several links and patterns is one capture, listed under every vendor naming it', () => {
    const dir = caseDir();
    writeFileSync(path.join(dir, 'real.pcap'), 'x');
    symlinkSync('real.pcap', path.join(dir, 'alias.pcap'));
    mkdirSync(path.join(dir, 'sub'));
    symlinkSync('../real.pcap', path.join(dir, 'sub', 'again.pcap'));
    const text = 'vendors:\n' +
      '  - { name: A, captures: ["*.pcap", "sub/*.pcap"], first_party: [a.com], claims: [{ id: a, text: t, country: SG }] }\n' +
      '  - { name: B, captures: ["sub/again.pcap"], first_party: [b.com], claims: [{ id: b, text: t, country: SG }] }\n';
    const listed = listedCaptures(parseClaims(text, 'c.yaml', path.join(dir, 'c.yaml')));
    expect(listed).toHaveLength(1);
    expect(listed[0].vendors).toEqual(['A', 'B']);
  });

  it('captures outside the claims folder are refused unless allowed: ../, absolute paths, links leading out', () => {
    const outer = caseDir();
    const dir = path.join(outer, 'case');
    mkdirSync(dir);
    writeFileSync(path.join(outer, 'elsewhere.pcap'), 'x');
    symlinkSync('../elsewhere.pcap', path.join(dir, 'link.pcap'));
    for (const pattern of ['../elsewhere.pcap', path.join(outer, '*.pcap'), 'link.pcap', '../**/*.pcap']) {
      const claims = parseClaims(claimsText([pattern]), 'c.yaml', path.join(dir, 'c.yaml'));
      expect(() => listedCaptures(claims), pattern).toThrow(expect.objectContaining({ code: 'claims_capture_outside' }));
      expect(listedCaptures(claims, { allowOutside: true }).length).toBeGreaterThanOrEqual(1);
    }
  });

  it(`a walk deeper than ${MAX_GLOB_DEPTH} folders is refused, not followed`, () => {
    const dir = caseDir();
    let p = dir;
    for (let i = 0; i <= MAX_GLOB_DEPTH + 1; i++) {
      p = path.join(p, 'd');
      mkdirSync(p);
    }
    expect(() => expandCapturePattern(dir, '**/*.pcap')).toThrow(expect.objectContaining({ code: 'claims_glob_too_large' }));
  });
});

describe('a listed file that is not a capture', () => {
  it('is skipped with its reason; the audit reads the others and goes on', async () => {
    const dir = caseDir();
    writeFileSync(path.join(dir, 'a.pcap'), buildHandsetCapture().pcap);
    writeFileSync(path.join(dir, 'notes.pcap'), 'meeting notes, not a capture\n');
    const file = path.join(dir, 'claims.yaml');
    writeFileSync(file, claimsText(['*.pcap']));
    const lines: string[] = [];
    const r = await runAudit(file, { log: (l) => lines.push(l) });
    expect(r.ingested.map((i) => [i.path, i.status ?? (i.skipped ? 'stored' : 'ingested')])).toEqual([
      ['a.pcap', 'ingested'],
      ['notes.pcap', 'skipped'],
    ]);
    expect(r.ingested[1].reason).toContain('capture_unknown_format');
    expect(lines).toContain('warning: notes.pcap skipped (not read: capture_unknown_format at byte 0)');
    // No byte of the skipped file reaches the reason (it may be anything, e.g. /etc/shadow with --allow-outside).
    expect(r.ingested[1].reason).not.toMatch(/0x6d656574|meet/);
    expect(r.model.vendors[0].name).toBe('V0');
  }, 60_000);
});

describe('the claims file itself', () => {
  it('a 1.5 GB sparse file is refused from its size, unread', () => {
    const file = path.join(caseDir(), 'huge.yaml');
    const fd = openSync(file, 'w');
    ftruncateSync(fd, 1_500_000_000);
    closeSync(fd);
    expect(() => loadClaims(file)).toThrow(expect.objectContaining({ code: 'claims_too_large', message: expect.stringContaining(`at most ${MAX_CLAIMS_FILE_BYTES}`) }));
  });

  it(`more than ${MAX_CLAIMS_VENDORS} vendors is refused before validation (the repro: 7,108 vendors in 1 MB)`, () => {
    const one = (i: number): string => `  - { name: V${i}, captures: [a.pcap], first_party: [a.com], claims: [{ id: c${i}, text: t, country: SG }] }\n`;
    let text = 'vendors:\n';
    for (let i = 0; i <= MAX_CLAIMS_VENDORS; i++) text += one(i);
    const file = path.join(caseDir(), 'many.yaml');
    writeFileSync(file, text);
    expect(() => loadClaims(file)).toThrow(expect.objectContaining({ code: 'claims_too_large', message: expect.stringContaining(`${MAX_CLAIMS_VENDORS + 1} vendors`) }));
  });

  it('an alias bomb (nested YAML aliases) is refused without being expanded', () => {
    let text = 'a: &a ["x","x","x","x","x","x","x","x","x","x"]\n';
    for (let i = 1; i < 12; i++) text += `l${i}: &l${i} [${new Array(10).fill(i === 1 ? '*a' : `*l${i - 1}`).join(',')}]\n`;
    text += claimsText(['a.pcap']);
    expect(() => parseClaims(text, 'bomb.yaml', '/x/bomb.yaml')).toThrow(expect.objectContaining({ code: 'claims_too_large', message: expect.stringContaining('aliases') }));
  });

  it('a folder or a FIFO named as the claims file is refused without blocking', () => {
    const dir = caseDir();
    expect(() => loadClaims(dir)).toThrow(expect.objectContaining({ code: 'claims_unreadable' }));
    const fifo = path.join(dir, 'claims.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    expect(() => loadClaims(fifo)).toThrow(expect.objectContaining({ code: 'claims_unreadable', message: expect.stringContaining('not a regular file') }));
  });
});

const REPRO = path.join(SHARED, 'repro');
const HAVE_REPRO = existsSync(path.join(REPRO, 'README.md'));
const title = (t: string): string => (HAVE_REPRO ? t : `${t} (skipped: ../shared/repro not found at ${REPRO})`);

describe.skipIf(!HAVE_REPRO)(title('../shared/repro claims files'), () => {
  it('bomb_aliases.yaml: refused, claims_too_large', () => {
    expect(() => loadClaims(path.join(REPRO, 'bomb_aliases.yaml'))).toThrow(expect.objectContaining({ code: 'claims_too_large' }));
  });

  it('escape_rel.yaml (../../../../../etc/*): refused without --allow-outside; with it, /etc files are skipped, not read as captures', async () => {
    const claims = loadClaims(path.join(REPRO, 'escape_rel.yaml'));
    expect(() => listedCaptures(claims)).toThrow(expect.objectContaining({ code: 'claims_capture_outside' }));
    // Copied next to a capture-less folder so the audit stays small: the same ../ pattern from a deeper folder.
    const dir = caseDir();
    const deep = path.join(dir, 'a', 'b', 'c', 'd', 'e');
    mkdirSync(deep, { recursive: true });
    mkdirSync(path.join(dir, 'etc'));
    writeFileSync(path.join(dir, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
    copyFileSync(path.join(REPRO, 'escape_rel.yaml'), path.join(deep, 'escape_rel.yaml'));
    const r = await runAudit(path.join(deep, 'escape_rel.yaml'), { allowOutside: true });
    expect(r.ingested.map((i) => i.status)).toEqual(['skipped']);
    expect(r.ingested[0].reason).not.toContain('root');
  }, 60_000);
});
