// The SHA-256 of data files for the provenance (src/file-sha256.ts): the file's real hash; remembered in the
// cache dir and reused while the file keeps its size, mtime and inode; computed again when any of them changes,
// when the cache file is damaged, and (without remembering) when the cache dir cannot be written.

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fileSha256 } from '../src/file-sha256.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'residency-digest-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const real = (file: string): string => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

describe('fileSha256', () => {
  const cache = path.join(dir, 'cache');
  const cacheFile = path.join(cache, 'file-sha256.json');
  const file = path.join(dir, 'data.bin');
  /** Plants a wrong hash for `file` under its current stamp: returned only if the stamp is trusted. */
  const plant = (): void => {
    const c = JSON.parse(fs.readFileSync(cacheFile, 'utf8')) as Record<string, { sha256: string }>;
    c[path.resolve(file)].sha256 = 'f'.repeat(64);
    fs.writeFileSync(cacheFile, JSON.stringify(c));
  };

  it('is the file hash, streamed (files over the 1 MiB chunk too), and is remembered', () => {
    fs.writeFileSync(file, Buffer.alloc(3 << 20, 7));
    expect(fileSha256(file, cache)).toBe(real(file));
    expect(fileSha256(file, null)).toBe(real(file));
    plant();
    expect(fileSha256(file, cache)).toBe('f'.repeat(64)); // the stamp matched: remembered, not hashed again
  });

  it('is computed again when the size or the mtime changes', () => {
    fs.writeFileSync(file, 'one');
    expect(fileSha256(file, cache)).toBe(real(file));
    plant();
    fs.writeFileSync(file, 'one!'); // size
    expect(fileSha256(file, cache)).toBe(real(file));
    plant();
    const t = fs.statSync(file).mtime;
    fs.writeFileSync(file, 'two!'); // same size ...
    fs.utimesSync(file, t, new Date(t.getTime() + 5000)); // ... another mtime
    expect(fileSha256(file, cache)).toBe(real(file));
  });

  it('is computed again when the file is replaced (another inode), even with the same size and mtime', () => {
    fs.writeFileSync(file, 'abcd');
    const st = fs.statSync(file);
    expect(fileSha256(file, cache)).toBe(real(file));
    plant();
    const tmp = `${file}.new`;
    fs.writeFileSync(tmp, 'wxyz');
    fs.utimesSync(tmp, st.atime, st.mtime);
    fs.renameSync(tmp, file);
    expect(fs.statSync(file).ino).not.toBe(st.ino);
    expect(fileSha256(file, cache)).toBe(real(file));
  });

  it('a damaged cache file or an unwritable cache dir: still the right hash', () => {
    fs.writeFileSync(cacheFile, '{not json');
    expect(fileSha256(file, cache)).toBe(real(file));
    fs.writeFileSync(cacheFile, '[1,2]');
    expect(fileSha256(file, cache)).toBe(real(file));
    const blocked = path.join(dir, 'blocked');
    fs.writeFileSync(blocked, 'a file where the cache dir would be');
    expect(fileSha256(file, blocked)).toBe(real(file));
    expect(() => fileSha256(path.join(dir, 'missing'), cache)).toThrow();
  });
});
