// `tsx scripts/update-geo.ts [--out DIR]`: downloads the providers' official range files (AWS ip-ranges.json,
// GCP cloud.json, Oracle public_ip_ranges.json) into geo/ranges/ as <name>-<YYYY-MM-DD>.json, checking each
// parses (syncToken/createDate) before it is written. Needs a network: without one it fails with exit 2 and
// says so; nothing is ever downloaded at analysis time. The mmdb/CSV data comes from npm (`npm update`).

import fs from 'node:fs';
import path from 'node:path';
import { parseRangesText } from '../src/geo/provider-ranges.js';
import { geoDataDir } from '../src/geo/data-paths.js';

const SOURCES = [
  { name: 'aws-ip-ranges', url: 'https://ip-ranges.amazonaws.com/ip-ranges.json' },
  { name: 'gcp-cloud', url: 'https://www.gstatic.com/ipranges/cloud.json' },
  { name: 'oracle-public-ip-ranges', url: 'https://docs.oracle.com/iaas/tools/public_ip_ranges.json' },
] as const;

async function main(): Promise<number> {
  const i = process.argv.indexOf('--out');
  const out = i > 0 && process.argv[i + 1] ? path.resolve(process.argv[i + 1]) : path.join(geoDataDir(), 'ranges');
  const date = new Date().toISOString().slice(0, 10);
  let failed = 0;
  for (const s of SOURCES) {
    let text: string;
    try {
      const res = await fetch(s.url, { signal: AbortSignal.timeout(30_000) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      text = await res.text();
    } catch (e) {
      const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message;
      process.stderr.write(`update-geo: cannot download ${s.url} (${cause}): no network? The range files are optional;\n` +
        `  copy them by hand into ${out} or pass them with --geo-dir.\n`);
      failed++;
      continue;
    }
    const parsed = parseRangesText(text);
    if (!parsed || parsed.prefixes.length === 0) {
      process.stderr.write(`update-geo: ${s.url} did not parse as ${s.name}; not written\n`);
      failed++;
      continue;
    }
    fs.mkdirSync(out, { recursive: true });
    const file = path.join(out, `${s.name}-${date}.json`);
    fs.writeFileSync(file, text);
    process.stdout.write(`${file}: ${parsed.prefixes.length} prefixes, version ${parsed.version ?? '-'}, built ${parsed.build_date ?? '-'}\n`);
  }
  return failed === 0 ? 0 : 2;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`update-geo: ${(e as Error).message}\n`);
    process.exit(1);
  },
);
