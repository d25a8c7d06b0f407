// Attribution: which vendor a capture belongs to (the vendor whose `captures:` list names it), which handset a
// flow came from (client MAC or IP, named by the claims file's optional `devices:` map), and which app
// (PCAPdroid metadata, already on the flow as `app`). Also decides which flows are local infrastructure.

import path from 'node:path';
import { UsageError } from '../errors.js';
import { captureIdentity, expandCapturePattern, isInside } from './capture-glob.js';
import type { ClaimsFile, DeviceSpec } from './claims.js';
import { isInfrastructure } from './first-party.js';

/** One capture file listed by the claims file, with the vendors listing it (usually one). */
export interface ListedCapture {
  /** Absolute path. */
  file: string;
  /** Path relative to the claims file, `/`-separated: how reports name it. */
  label: string;
  vendors: string[];
}

/**
 * Expands every vendor's `captures:` patterns. A pattern matching no file is a usage error; so is one reaching
 * outside the claims file's folder (also through a link) unless `allowOutside`. A file reached through several
 * links or patterns is one capture (by real path), listed under every vendor naming it.
 */
export function listedCaptures(claims: ClaimsFile, opts: { allowOutside?: boolean } = {}): ListedCapture[] {
  const byFile = new Map<string, ListedCapture>();
  const missing: string[] = [];
  const outside: string[] = [];
  for (const v of claims.vendors) {
    for (const pattern of v.captures) {
      const files = expandCapturePattern(claims.dir, pattern);
      if (files.length === 0) missing.push(`vendor ${JSON.stringify(v.name)}: ${JSON.stringify(pattern)} matches no file (relative to ${claims.dir})`);
      const away = opts.allowOutside ? [] : files.filter((f) => !isInside(claims.dir, f));
      if (away.length > 0) {
        const shown = away.slice(0, 3).join(', ') + (away.length > 3 ? `, … (${away.length} files)` : '');
        outside.push(`vendor ${JSON.stringify(v.name)}: ${JSON.stringify(pattern)} reaches outside ${claims.dir}: ${shown}`);
        continue;
      }
      for (const file of files) {
        const id = captureIdentity(file);
        let entry = byFile.get(id);
        if (!entry) {
          entry = { file, label: captureLabel(claims.dir, file), vendors: [] };
          byFile.set(id, entry);
        }
        if (!entry.vendors.includes(v.name)) entry.vendors.push(v.name);
      }
    }
  }
  if (outside.length > 0) {
    throw new UsageError('claims_capture_outside', `${outside.join('\n')}\n(captures must be in the claims file's folder or below it; --allow-outside allows others)`);
  }
  if (missing.length > 0) throw new UsageError('claims_capture_missing', missing.join('\n'));
  return [...byFile.values()].sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
}

/** How reports name a capture: relative to the claims file when below it, else the absolute path. */
export function captureLabel(baseDir: string, file: string): string {
  const rel = path.relative(baseDir, file);
  const label = rel.startsWith('..') || path.isAbsolute(rel) ? file : rel;
  return label.split(path.sep).join('/');
}

/** Names handsets: a `devices:` entry matching the MAC (preferred) or IP, else the client IP (+ MAC). */
export class DeviceNamer {
  private readonly byMac = new Map<string, string>();
  private readonly byIp = new Map<string, string>();

  constructor(devices: readonly DeviceSpec[]) {
    for (const d of devices) {
      if (d.mac !== undefined) this.byMac.set(d.mac.toLowerCase(), d.name);
      if (d.ip !== undefined) this.byIp.set(d.ip, d.name);
    }
  }

  label(clientIp: string, clientMac?: string): string {
    const mac = clientMac?.toLowerCase();
    if (mac !== undefined) {
      const named = this.byMac.get(mac);
      if (named !== undefined) return named;
    }
    const named = this.byIp.get(clientIp);
    if (named !== undefined) return named;
    return mac !== undefined ? `${clientIp} (${mac})` : clientIp;
  }
}

/** Local traffic never counts for or against a claim: private/bogon servers and DNS/NTP/DHCP/mDNS ports. */
export function isLocalFlow(f: { server_port: number; country_agreement?: string }): boolean {
  return f.country_agreement === 'private' || isInfrastructure(f);
}
