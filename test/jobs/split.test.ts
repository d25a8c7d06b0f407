// A capture split across shards (--jobs N, src/jobs/split.ts) gives exactly what --jobs 1 gives: the same flow and
// DNS records, in the same order, with the same flow ids and uids, the same extract document and the same summary,
// on every sample and shared-corpus capture the split takes (plain pcap and pcapng; gzip is read as with --jobs 1).

import { join, relative } from 'node:path';
import { readdirSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyzeInput } from '../../src/input.js';
import { analyzeWithJobs, splittable } from '../../src/jobs/analyze.js';
import { extractOracleDoc, formatOracleDoc, writeOracleDoc } from '../../src/oracle-doc.js';
import { CORPUS, REPO_ROOT, corpusFiles } from '../conformance/shared-corpus.js';

function sampleCaptures(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir).sort()) {
      const p = join(dir, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(pcap|pcapng)$/.test(e)) out.push(relative(REPO_ROOT, p));
    }
  };
  walk(join(REPO_ROOT, 'captures'));
  return out;
}

const CAPTURES = [...sampleCaptures(), ...corpusFiles().map((rel) => relative(REPO_ROOT, join(CORPUS, rel)))].filter((c) => splittable(c, 0));

/** Every record and the summary as text (an error as its message: a capture that cannot be read). */
async function run(file: string, jobs: number): Promise<string> {
  const lines: string[] = [];
  const handlers = {
    flow: (r: unknown) => lines.push(`F ${JSON.stringify(r)}`),
    dns: (r: unknown) => lines.push(`D ${JSON.stringify(r)}`),
    // flows --vantage hears each link type before the records of its flows (SynthesisGate).
    linkType: (t: number) => lines.push(`L ${t}`),
  };
  try {
    const s = jobs === 1 ? await analyzeInput(file, handlers) : await analyzeWithJobs(file, handlers, {}, jobs, 0);
    lines.push(`S ${JSON.stringify(s)}`);
  } catch (e) {
    lines.push(`E ${(e as Error).message}`);
  }
  return lines.join('\n');
}

async function extract(file: string, jobs: number): Promise<string> {
  try {
    const analyze = jobs === 1 ? undefined : (p: string, h: Parameters<typeof analyzeInput>[1], o?: Parameters<typeof analyzeInput>[2]) => analyzeWithJobs(p, h, o ?? {}, jobs, 0);
    return formatOracleDoc((await extractOracleDoc(file, {}, analyze)).doc);
  } catch (e) {
    return `E ${(e as Error).message}`;
  }
}

/** `extract`'s streamed document (every entry spilled to the temporary file), split across `jobs` shards. */
async function streamed(file: string, jobs: number): Promise<string> {
  const parts: string[] = [];
  try {
    await writeOracleDoc(file, { write: (t: string) => parts.push(t) }, { spillBytes: 0 }, (p, h, o) => analyzeWithJobs(p, h, o ?? {}, jobs, 0));
    return parts.join('');
  } catch (e) {
    return `E ${(e as Error).message}`;
  }
}

describe('a split capture gives what --jobs 1 gives', () => {
  it('covers the sample captures and the shared corpus', () => {
    expect(CAPTURES.length).toBeGreaterThanOrEqual(4);
  });
  for (const c of CAPTURES) {
    it(`${c}: flows, DNS and summary with 2 shards`, async () => {
      expect(await run(c, 2)).toBe(await run(c, 1));
    });
  }
  // More shards than hash slots in use on small captures, and the extract document.
  for (const c of CAPTURES.filter((x) => x.startsWith('captures'))) {
    it(`${c}: 3 shards, and the extract document`, async () => {
      expect(await run(c, 3)).toBe(await run(c, 1));
      const doc = await extract(c, 1);
      expect(await extract(c, 2)).toBe(doc);
      expect(await streamed(c, 2)).toBe(doc);
    });
  }
});
