// Decides, by content and never by file name, whether an input is logs and which: a Zeek log set (TSV or JSON:
// conn logs with their ssl, dns, quic and http logs) or Suricata eve.json files. How a log input is given:
// - a folder: every Zeek log in it (rotated `.log.gz` files too) forms one set, every conn log in it read;
//   or its eve.json files, in name order;
// - a Zeek conn log: the ssl, dns, quic and http logs beside it whose names differ only in that first word
//   (`conn.log` -> `ssl.log`; `conn.10:00:00-11:00:00.log.gz` -> `dns.10:00:00-11:00:00.log.gz`) join it;
// - an eve.json file: itself.
// Anything else is not logs (null): the capture reader then says what it is not.

import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { CaptureError } from '../errors.js';
import { LOG_SNIFF_BYTES } from '../limits.js';
import { zeekKindOfFields, zeekKindOfPath, type ZeekLogKind } from './zeek-row.js';

export type LogFileFormat = 'zeek-tsv' | 'zeek-json' | 'suricata-eve';

export interface LogFile {
  file: string;
  format: LogFileFormat;
  /** Zeek: which log; eve: 'other'. */
  kind: ZeekLogKind;
}

export type LogInput =
  | { kind: 'zeek'; path: string; conn: LogFile[]; side: LogFile[] }
  | { kind: 'eve'; path: string; files: LogFile[] };

/** Every file an input reads, in reading order (side logs before conn logs). */
export function logInputFiles(input: LogInput): LogFile[] {
  return input.kind === 'zeek' ? [...input.side, ...input.conn] : input.files;
}

/** The first bytes of a file as text (gunzipped when it starts with the gzip magic); '' when unreadable. */
function sniffText(file: string): string {
  let fd = -1;
  try {
    fd = openSync(file, 'r');
    const buf = Buffer.alloc(LOG_SNIFF_BYTES);
    const n = readSync(fd, buf, 0, buf.length, 0);
    let bytes = buf.subarray(0, n);
    if (n >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
      // A partial gzip stream: Z_SYNC_FLUSH gives what the bytes read decompress to, without an error at their end.
      // zlib is loaded only here (startup cost on every run otherwise).
      const zlib = process.getBuiltinModule('node:zlib');
      bytes = zlib.gunzipSync(bytes, { finishFlush: zlib.constants.Z_SYNC_FLUSH }).subarray(0, LOG_SNIFF_BYTES);
    }
    return bytes.toString('utf8');
  } catch {
    return '';
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

/** What log a file is, from its first lines; null when it is not a Zeek log or eve.json. */
export function classifyLogFile(file: string): LogFile | null {
  const text = sniffText(file).replace(/^\uFEFF/, '');
  const lines = text.split('\n');
  const first = lines.find((l) => l.trim() !== '') ?? '';
  if (first.startsWith('#separator')) {
    let kind: ZeekLogKind | undefined;
    for (const l of lines) {
      if (l.startsWith('#path')) {
        kind = zeekKindOfPath(l.slice(5).trim());
        break;
      }
    }
    if (kind === undefined) {
      const fieldsLine = lines.find((l) => l.startsWith('#fields'));
      if (fieldsLine === undefined) return null;
      const fields = new Set(fieldsLine.split(/\s+/).slice(1));
      kind = zeekKindOfFields((f) => fields.has(f));
    }
    return { file, format: 'zeek-tsv', kind };
  }
  if (!first.trimStart().startsWith('{')) return null;
  let o: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(first);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
    o = parsed as Record<string, unknown>;
  } catch {
    return null;
  }
  if (typeof o.event_type === 'string' && typeof o.timestamp === 'string') return { file, format: 'suricata-eve', kind: 'other' };
  if (!('ts' in o) || !('uid' in o || 'id.orig_h' in o || typeof o.id === 'object')) return null;
  const kind = typeof o._path === 'string' ? zeekKindOfPath(o._path) : zeekKindOfFields((f) => f in o);
  return { file, format: 'zeek-json', kind };
}

/** The log input at `p` (see module comment), or null when it is not logs. Throws CaptureError for a folder that
 *  holds no usable logs, or a Zeek log that is not a conn log given alone. */
export function detectLogInput(p: string): LogInput | null {
  let st;
  try {
    st = statSync(p);
  } catch {
    return null; // the capture reader names the missing file
  }
  if (st.isDirectory()) return folderInput(p);
  if (!st.isFile()) return null;
  const c = classifyLogFile(p);
  if (c === null) return null;
  if (c.format === 'suricata-eve') return { kind: 'eve', path: p, files: [c] };
  if (c.kind !== 'conn') {
    throw new CaptureError('log_not_conn', p, 0, `a Zeek ${c.kind} log: give its conn log (its ssl, dns, quic and http logs beside it are joined) or the folder`);
  }
  return { kind: 'zeek', path: p, conn: [c], side: siblings(p) };
}

const SIDE_KINDS: readonly ZeekLogKind[] = ['ssl', 'quic', 'http', 'dns'];

function siblings(connFile: string): LogFile[] {
  const dir = path.dirname(connFile);
  const base = path.basename(connFile);
  if (!base.startsWith('conn')) return [];
  const rest = base.slice('conn'.length);
  const out: LogFile[] = [];
  for (const kind of SIDE_KINDS) {
    const f = path.join(dir, kind + rest);
    try {
      if (!statSync(f).isFile()) continue;
    } catch {
      continue;
    }
    const c = classifyLogFile(f);
    if (c !== null && c.format !== 'suricata-eve' && c.kind === kind) out.push(c);
  }
  return out;
}

function folderInput(dir: string): LogInput {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch (e) {
    throw new CaptureError('log_unreadable', dir, 0, (e as Error).message);
  }
  const conn: LogFile[] = [];
  const side: LogFile[] = [];
  const eve: LogFile[] = [];
  for (const name of names) {
    if (name.startsWith('.')) continue;
    const f = path.join(dir, name);
    try {
      if (!statSync(f).isFile()) continue;
    } catch {
      continue;
    }
    const c = classifyLogFile(f);
    if (c === null) continue;
    if (c.format === 'suricata-eve') eve.push(c);
    else if (c.kind === 'conn') conn.push(c);
    else if (c.kind !== 'other') side.push(c);
  }
  if (conn.length > 0 && eve.length > 0) {
    throw new CaptureError('log_mixed', dir, 0, 'holds both Zeek conn logs and eve.json: give the Zeek logs and the eve.json files as separate inputs');
  }
  if (conn.length > 0) {
    side.sort((a, b) => SIDE_KINDS.indexOf(a.kind) - SIDE_KINDS.indexOf(b.kind) || a.file.localeCompare(b.file));
    return { kind: 'zeek', path: dir, conn, side };
  }
  if (eve.length > 0) return { kind: 'eve', path: dir, files: eve };
  throw new CaptureError('log_none', dir, 0, 'a folder with no Zeek conn log and no eve.json (give a capture file, a Zeek log folder or an eve.json)');
}
