// The sample generator is deterministic: two runs give identical bytes, identical to the committed captures.

import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { LAB_PING, VANTAGE, writeLabPing, writeSamples } from '../../scripts/gen-samples.js';
import { analyzeCapture } from '../../src/pipeline.js';
import { parsePingText } from '../../src/vantage/ping-text.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dirs: string[] = [];
const fresh = (): string => {
  const d = mkdtempSync(path.join(tmpdir(), 'residency-samples-'));
  dirs.push(d);
  return d;
};
const sha = (f: string): string => createHash('sha256').update(readFileSync(f)).digest('hex');

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('scripts/gen-samples.ts', () => {
  const a = fresh();
  const b = fresh();
  const filesA = writeSamples(a);
  const filesB = writeSamples(b);

  it('writes the four vendor captures and the claims file', () => {
    expect(filesA).toEqual([
      'vendor-alder/alder-phone.pcap',
      'vendor-birch/birch-two-phones.pcapng',
      'vendor-cedar/cedar-phone.pcapng',
      'vendor-dogwood/dogwood-tablet-rawip.pcap',
      'claims.yaml',
    ]);
    expect(filesB).toEqual(filesA);
  });

  it('gives identical bytes on two runs', () => {
    for (const f of filesA) expect(sha(path.join(b, f)), f).toBe(sha(path.join(a, f)));
  });

  it('matches the committed captures (regenerate with `npx tsx scripts/gen-samples.ts`)', () => {
    for (const f of filesA) expect(sha(path.join(repo, 'captures', f)), f).toBe(sha(path.join(a, f)));
  });

  it('covers classic pcap, pcapng and raw IP (LINKTYPE 101), and stays small', () => {
    const magic = (f: string): string => readFileSync(path.join(a, f)).subarray(0, 4).toString('hex');
    expect(magic('vendor-alder/alder-phone.pcap')).toBe('d4c3b2a1');
    expect(magic('vendor-birch/birch-two-phones.pcapng')).toBe('0a0d0d0a');
    const raw = readFileSync(path.join(a, 'vendor-dogwood/dogwood-tablet-rawip.pcap'));
    expect(raw.readUInt32LE(20)).toBe(101);
    const total = filesA.reduce((n, f) => n + statSync(path.join(a, f)).size, 0);
    expect(total).toBeLessThan(3 * 1024 * 1024);
  });

  it('derives the lab ping file from the captures\' handshakes: committed as written, fastest reply = fastest handshake', async () => {
    expect(await writeLabPing(a)).toBe(LAB_PING);
    expect(sha(path.join(repo, 'captures', LAB_PING))).toBe(sha(path.join(a, LAB_PING)));
    // The fastest handshake RTT per address, read back from the committed captures by the capture path.
    const handshake = new Map<string, number>();
    for (const f of filesA.filter((x) => x !== 'claims.yaml')) {
      await analyzeCapture(path.join(repo, 'captures', f), {
        flow: (r) => {
          if (r.rtt_ms !== undefined) handshake.set(r.server_ip, Math.min(r.rtt_ms, handshake.get(r.server_ip) ?? Infinity));
        },
      });
    }
    // Every public destination of the sample (8 addresses: captures/README.md) was reached with a handshake.
    expect(handshake.size).toBe(8);
    const lab = { id: 'vantage', ...VANTAGE };
    const parsed = parsePingText(readFileSync(path.join(repo, 'captures', LAB_PING), 'utf8'), LAB_PING, lab);
    expect(parsed.issues).toEqual([]);
    expect(Object.fromEntries(parsed.measurements.map((m) => [m.dst_addr, m.min_rtt_ms]))).toEqual(Object.fromEntries(handshake));
    for (const m of parsed.measurements) expect(m.vantage).toEqual(lab);
  }, 60_000);
});
