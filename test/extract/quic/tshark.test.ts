// Cross-check with tshark: the version capture (version-capture.ts) written to a temporary file, read by tshark and
// by the pipeline. Wherever tshark prints an SNI for a flow we must print the same one, and tshark must decode
// exactly the cases we expect it to (a case that changes either way fails). Skipped, with the reason in its title,
// only when tshark is not installed.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeCapture } from '../../../src/pipeline.js';
import type { FlowRecord } from '../../../src/types.js';
import { buildVersionCapture } from './version-capture.js';

const tshark = process.env.TSHARK ?? 'tshark';
const probe = spawnSync(tshark, ['-v'], { encoding: 'utf8' });
const tsharkPresent = probe.status === 0;
const title = tsharkPresent ? `QUIC versions cross-checked with ${probe.stdout.split('\n')[0]}`
  : 'QUIC versions cross-checked with tshark (skipped: tshark is not installed)';

async function* once(buf: Buffer): AsyncGenerator<Buffer> {
  yield buf;
}

/** client port -> SNIs tshark prints (QUIC and gQUIC-with-TLS alike). */
function tsharkSnis(file: string): Map<number, string> {
  const r = spawnSync(tshark, ['-n', '-2', '-r', file, '-T', 'fields', '-e', 'udp.srcport', '-e', 'tls.handshake.extensions_server_name',
    '-Y', 'tls.handshake.extensions_server_name'], { encoding: 'utf8', env: { ...process.env, HOME: tmpdir() } });
  expect(r.status).toBe(0);
  const out = new Map<number, string>();
  for (const line of r.stdout.split('\n')) {
    const [port, sni] = line.split('\t');
    if (sni) out.set(Number(port), sni);
  }
  return out;
}

describe.skipIf(!tsharkPresent)(title, () => {
  it('tshark and we agree on every SNI tshark decodes, and tshark decodes the versions it should', async () => {
    const { pcap, cases } = buildVersionCapture();
    const dir = mkdtempSync(path.join(tmpdir(), 'residency-quic-'));
    try {
      const file = path.join(dir, 'versions.pcap');
      writeFileSync(file, pcap);
      const theirs = tsharkSnis(file);
      const flows: FlowRecord[] = [];
      await analyzeCapture('versions.pcap', { flow: (f) => flows.push(f) }, { source: once(pcap) });
      const ours = new Map(flows.filter((f) => f.quic !== undefined).map((f) => [f.client_port, f.quic]));
      for (const c of cases) {
        expect(theirs.has(c.clientPort), `tshark decodes ${c.label}`).toBe(c.tshark);
        if (theirs.has(c.clientPort)) expect(ours.get(c.clientPort), c.label).toBe(theirs.get(c.clientPort));
      }
      expect([...theirs.keys()].every((p) => cases.some((c) => c.clientPort === p))).toBe(true);
      expect(cases.filter((c) => c.tshark).length).toBeGreaterThanOrEqual(25);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
