// Expands the `captures:` patterns of a claims file (paths or globs relative to the claims file) into sorted
// absolute file paths. Node 20 has no fs.globSync, so this is a small glob over readdir: `*` and `?` within one
// path segment, `[abc]` classes, and `**` for any number of directories.
//
// The walk is bounded and loop-safe: `**` follows directory links, but enters a directory (by its real path) at
// most once per remaining pattern, so `loop/a -> .` or two links to one folder are walked once; it stops with
// a UsageError after MAX_GLOB_ENTRIES directory entries or below MAX_GLOB_DEPTH directories. A file reached
// through several links is listed once (by real path). tinyglobby/picomatch (installed only as test-tool
// dependencies) were not taken: neither exposes a bound on the entries a walk visits, which a claims file from
// someone else needs.

import { readdirSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { MAX_GLOB_DEPTH, MAX_GLOB_ENTRIES } from '../limits.js';

function hasMagic(segment: string): boolean {
  return /[*?[]/.test(segment);
}

/** Compiles one path segment (no `/`) to an anchored RegExp. Dotfiles match only an explicit leading dot. */
export function segmentRegExp(segment: string): RegExp {
  let re = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i];
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const close = segment.indexOf(']', i + 1);
      if (close === -1) {
        re += '\\[';
      } else {
        let body = segment.slice(i + 1, close);
        if (body.startsWith('!')) body = '^' + body.slice(1);
        re += '[' + body.replace(/\\/g, '\\\\') + ']';
        i = close;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  const dot = segment.startsWith('.') ? '' : '(?!\\.)';
  return new RegExp('^' + dot + re + '$');
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function realOf(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

/** One expansion: its bounds, the directories entered (real path + remaining pattern), the files found. */
class Walk {
  entries = 0;
  private readonly entered = new Set<string>();
  /** Real path -> the first path that reached it. */
  readonly files = new Map<string, string>();

  constructor(private readonly pattern: string) {}

  private listDir(dir: string): string[] {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      return [];
    }
    this.entries += names.length;
    if (this.entries > MAX_GLOB_ENTRIES) {
      throw new UsageError('claims_glob_too_large', `${JSON.stringify(this.pattern)} walks more than ${MAX_GLOB_ENTRIES} directory entries; name the folders more precisely`);
    }
    return names;
  }

  walk(base: string, segments: string[], at: number, depth: number): void {
    if (at === segments.length) {
      if (isFile(base)) {
        const real = realOf(base);
        if (!this.files.has(real)) this.files.set(real, base);
      }
      return;
    }
    const head = segments[at];
    if (head === '**') {
      // A directory already walked for the same rest of the pattern (a link loop, or two links to one folder).
      const key = `${at}\0${realOf(base)}`;
      if (this.entered.has(key)) return;
      this.entered.add(key);
      if (depth > MAX_GLOB_DEPTH) {
        throw new UsageError('claims_glob_too_large', `${JSON.stringify(this.pattern)} goes more than ${MAX_GLOB_DEPTH} folders deep`);
      }
      this.walk(base, segments, at + 1, depth);
      for (const name of this.listDir(base)) {
        if (name.startsWith('.')) continue;
        const child = path.join(base, name);
        if (isDir(child)) this.walk(child, segments, at, depth + 1);
      }
      return;
    }
    if (!hasMagic(head)) {
      this.walk(path.join(base, head), segments, at + 1, depth);
      return;
    }
    const re = segmentRegExp(head);
    for (const name of this.listDir(base)) {
      if (re.test(name)) this.walk(path.join(base, name), segments, at + 1, depth);
    }
  }
}

/**
 * Files matching `pattern` (relative to `baseDir` unless absolute), sorted, each once whatever links lead to it
 * (the path listed is the first, in sorted walk order, that reached it). A plain path yields itself if it is a file,
 * or a folder (a folder of Zeek logs or eve.json files is one log input).
 */
export function expandCapturePattern(baseDir: string, pattern: string): string[] {
  const abs = path.resolve(baseDir, pattern);
  if (!hasMagic(pattern) && isDir(abs)) return [abs];
  const root = path.parse(abs).root;
  const segments = abs.slice(root.length).split(/[\\/]+/).filter((s) => s.length > 0);
  const w = new Walk(pattern);
  w.walk(root, segments, 0, 0);
  return [...w.files.values()].sort();
}

/** True when `file`'s real path is `dir`'s real path or below it. */
export function isInside(dir: string, file: string): boolean {
  const rel = path.relative(realOf(dir), realOf(file));
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** The real path a listed capture is known by (several links to one file are one capture). */
export function captureIdentity(file: string): string {
  return realOf(file);
}
