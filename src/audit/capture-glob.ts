// Expands the `captures:` patterns of a claims file (paths or globs relative to the claims file) into
// sorted absolute file paths. Node 20 has no fs.globSync, so this is a small glob over readdir:
// `*` and `?` within one path segment, `[abc]` classes, and `**` for any number of directories.

import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

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

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
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

function walk(base: string, segments: string[], out: Set<string>): void {
  if (segments.length === 0) {
    if (isFile(base)) out.add(base);
    return;
  }
  const [head, ...rest] = segments;
  if (head === '**') {
    walk(base, rest, out);
    for (const name of listDir(base)) {
      if (name.startsWith('.')) continue;
      const child = path.join(base, name);
      if (isDir(child)) walk(child, segments, out);
    }
    return;
  }
  if (!hasMagic(head)) {
    walk(path.join(base, head), rest, out);
    return;
  }
  const re = segmentRegExp(head);
  for (const name of listDir(base)) {
    if (re.test(name)) walk(path.join(base, name), rest, out);
  }
}

/** Files matching `pattern` (relative to `baseDir` unless absolute), sorted. A plain path yields itself if it is a file,
 *  or a folder (a folder of Zeek logs or eve.json files is one log input). */
export function expandCapturePattern(baseDir: string, pattern: string): string[] {
  const abs = path.resolve(baseDir, pattern);
  if (!hasMagic(pattern) && isDir(abs)) return [abs];
  const root = path.parse(abs).root;
  const segments = abs.slice(root.length).split(/[\\/]+/).filter((s) => s.length > 0);
  const out = new Set<string>();
  walk(root, segments, out);
  return [...out].sort();
}
