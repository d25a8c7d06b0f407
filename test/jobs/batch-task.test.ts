// The pieces of a batch run that decide its output byte for byte (src/jobs/batch-task.ts, batch-shared.ts): the CSV
// header is left out of a capture's output whatever pieces it is written in, and what a batch shares is shared only
// while a batch runs.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HeaderlessSink } from '../../src/jobs/batch-task.js';
import { enterBatch, sharedInBatch } from '../../src/jobs/batch-shared.js';

function through(header: string | undefined, pieces: string[]): string {
  const out: string[] = [];
  const sink = new HeaderlessSink({ write: (t: string) => out.push(t) }, header);
  for (const p of pieces) sink.write(p);
  sink.end();
  return out.join('');
}

/** `text` cut at the given points. */
function cut(text: string, at: number[]): string[] {
  const points = [...new Set(at.map((a) => a % (text.length + 1)))].sort((a, b) => a - b);
  const pieces: string[] = [];
  let from = 0;
  for (const p of points) {
    pieces.push(text.slice(from, p));
    from = p;
  }
  pieces.push(text.slice(from));
  return pieces;
}

describe('HeaderlessSink', () => {
  const header = 'capture,flow_id,uid\n';

  it('leaves out the header however the text is cut, and nothing else', () => {
    fc.assert(
      fc.property(fc.string(), fc.array(fc.nat(), { maxLength: 6 }), fc.boolean(), (body, at, withHeader) => {
        const text = (withHeader ? header : '') + body;
        const expected = withHeader ? body : text.startsWith(header) ? text.slice(header.length) : text;
        expect(through(header, cut(text, at))).toBe(expected);
      }),
    );
  });

  it('passes text through untouched without a header, and keeps a lone prefix of it', () => {
    expect(through(undefined, ['capture,flow_id,uid\n', 'a'])).toBe('capture,flow_id,uid\na');
    expect(through(header, ['capture,fl'])).toBe('capture,fl');
    expect(through(header, ['capture,flow_id,uid\n'])).toBe('');
  });
});

describe('sharedInBatch', () => {
  it('opens once per key inside a batch, every time outside one, and forgets when the batch ends', async () => {
    let opened = 0;
    const open = async (): Promise<number> => ++opened;
    expect(await sharedInBatch('k', open)).toBe(1);
    expect(await sharedInBatch('k', open)).toBe(2);
    const leave = enterBatch();
    expect(await sharedInBatch('k', open)).toBe(3);
    expect(await sharedInBatch('k', open)).toBe(3);
    expect(await sharedInBatch('other', open)).toBe(4);
    leave();
    leave(); // leaving twice leaves once
    expect(await sharedInBatch('k', open)).toBe(5);
  });

  it('does not keep a failed open', async () => {
    const leave = enterBatch();
    let tries = 0;
    const open = async (): Promise<string> => {
      tries++;
      if (tries === 1) throw new Error('no data');
      return 'ok';
    };
    await expect(sharedInBatch('g', open)).rejects.toThrow('no data');
    await new Promise((r) => setImmediate(r));
    expect(await sharedInBatch('g', open)).toBe('ok');
    leave();
  });
});
