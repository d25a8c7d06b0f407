// `extract` streams its document (src/oracle-doc.ts writeOracleDoc, src/oracle-spill.ts): the same bytes as the
// in-memory document whatever spills to the temporary file, stable frame order, and no file left behind.

import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extractOracleDoc, formatOracleDoc, writeOracleDoc } from '../../src/oracle-doc.js';
import { MERGE_FAN_IN, SpillLists } from '../../src/oracle-spill.js';
import { CORPUS, HAVE_CORPUS, REPO_ROOT, corpusFiles } from '../conformance/shared-corpus.js';
import { UNREADABLE } from '../conformance/known-differences.js';
import { sampleCaptures } from '../golden/golden-kinds.js';

const leftovers = () => readdirSync(tmpdir()).filter((n) => n.startsWith('residency-extract-')).length;

function printed(lists: SpillLists): string[][] {
  return lists.lists.map((l) => {
    const out: string[] = [];
    for (const j of l.entries()) out.push(j);
    return out;
  });
}

describe('SpillLists', () => {
  it('property: prints each list in stable frame order, in memory or spilled, with runs merged level by level', () => {
    const entry = fc.record({ list: fc.nat({ max: 2 }), step: fc.integer({ min: -30, max: 5 }) });
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 400 }), fc.constantFrom(0, 200, 2_000, 1 << 30), (entries, maxBytes) => {
        const before = leftovers();
        const lists = new SpillLists(3, maxBytes);
        const expected: { frame: number; json: string }[][] = [[], [], []];
        let frame = 100;
        entries.forEach((e, i) => {
          // Mostly forward, sometimes late (a TCP segment that waited in reassembly); ties are common.
          frame = Math.max(1, frame + (e.step < -20 ? e.step : Math.max(0, e.step)));
          const f = e.step < -20 ? frame + e.step : frame;
          const json = JSON.stringify({ frame: f, i, name: 'é\u2028\t"' });
          lists.add(e.list, f, json);
          expected[e.list].push({ frame: f, json });
        });
        try {
          const got = printed(lists);
          for (let l = 0; l < 3; l++) expect(got[l]).toEqual(expected[l].sort((a, b) => a.frame - b.frame).map((x) => x.json));
          if (maxBytes === 0 && entries.length > 0) expect(lists.spilledBytes).toBeGreaterThan(0);
          if (maxBytes === 1 << 30) expect(lists.spilledBytes).toBe(0);
        } finally {
          lists.close();
        }
        expect(leftovers()).toBe(before);
      }),
      { numRuns: 150 },
    );
  });

  it('merges late runs MERGE_FAN_IN at a time, so a late entry is rewritten only a logarithmic number of times', () => {
    const lists = new SpillLists(1, 0);
    let spilledBefore = 0;
    for (let i = 0; i < MERGE_FAN_IN * MERGE_FAN_IN + 3; i++) {
      lists.add(0, 1000, 'x'); // sets the main run's last frame
      lists.add(0, 1, `late${i}`);
    }
    const late = (lists.lists[0] as unknown as { lateRunCount: number }).lateRunCount;
    expect(late).toBeLessThanOrEqual(2 * MERGE_FAN_IN);
    spilledBefore = lists.spilledBytes;
    const out = printed(lists)[0];
    expect(out.slice(0, MERGE_FAN_IN * MERGE_FAN_IN + 3)).toEqual(Array.from({ length: MERGE_FAN_IN * MERGE_FAN_IN + 3 }, (_, i) => `late${i}`));
    expect(spilledBefore).toBeGreaterThan(0);
    lists.close();
  });
});

describe('writeOracleDoc', () => {
  const captures = [
    ...sampleCaptures().map((rel) => join(REPO_ROOT, 'captures', rel)),
    ...(HAVE_CORPUS ? corpusFiles().filter((f) => UNREADABLE[f] === undefined).map((f) => join(CORPUS, f)) : []),
  ];

  it('prints the same bytes as the in-memory document, spilling every entry or none', async () => {
    const before = leftovers();
    let spilled = 0;
    for (const c of captures) {
      const { doc } = await extractOracleDoc(c);
      const want = formatOracleDoc(doc);
      for (const spillBytes of [0, 1 << 30]) {
        const parts: string[] = [];
        await writeOracleDoc(c, { write: (t: string) => parts.push(t) }, { spillBytes, onSpill: (b) => (spilled += b) });
        expect({ c, spillBytes, out: parts.join('') }).toEqual({ c, spillBytes, out: want });
      }
    }
    expect(spilled).toBeGreaterThan(0);
    expect(leftovers()).toBe(before);
  }, 300_000);

  it('leaves no temporary file when writing fails (a reader that went away)', async () => {
    const before = leftovers();
    const c = join(REPO_ROOT, 'captures', sampleCaptures()[0]);
    const broken = {
      write: () => {
        throw Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
      },
    };
    await expect(writeOracleDoc(c, broken, { spillBytes: 0 })).rejects.toThrow('EPIPE');
    expect(leftovers()).toBe(before);
  });
});
