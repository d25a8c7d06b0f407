// What the golden files hold per capture: the commands, their arguments and the file suffix of each output.

import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from '../conformance/shared-corpus.js';

/** The lab of the sample case (captures/claims.yaml): the vantage of `flows --vantage`. */
export const GOLDEN_VANTAGE = { lat: 28.6139, lon: 77.209 } as const;

export interface GoldenKind {
  suffix: string;
  args(capture: string): string[];
}

export const GOLDEN_KINDS: readonly GoldenKind[] = [
  { suffix: 'flows.ndjson', args: (c) => ['flows', '--no-geo', c] },
  { suffix: 'flows-vantage.ndjson', args: (c) => ['flows', '--vantage', `${GOLDEN_VANTAGE.lat},${GOLDEN_VANTAGE.lon}`, c] },
  { suffix: 'dns.ndjson', args: (c) => ['dns', c] },
  { suffix: 'extract.json', args: (c) => ['extract', c] },
];

/** The bundled sample captures (captures/vendor-*), relative to captures/, sorted. */
export function sampleCaptures(): string[] {
  const root = join(REPO_ROOT, 'captures');
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir).sort()) {
      const p = join(dir, e);
      if (statSync(p).isDirectory()) {
        if (e !== 'expected') walk(p);
      } else if (/\.(pcap|pcapng)(\.gz)?$/.test(e)) out.push(relative(root, p));
    }
  };
  walk(root);
  return out;
}
