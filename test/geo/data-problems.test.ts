// A geolocation data file that answers nothing, or less than asked, is evidence too: a --geo-dir file that is not a
// MaxMind DB, one of a type no lookup uses, and one whose records are damaged are each named, with why, in the
// provenance (report.json geo_sources[].problem, the HTML and Markdown provenance) and in one warning per file on
// stderr (flows, geo, audit), never silently dropped; the run goes on with the other sources. File names come from
// the user's folder and are escaped for the terminal and HTML.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { runAudit, type AuditResult } from '../../src/pipeline/back-half.js';
import { renderHtml, renderJson, renderMarkdown } from '../../src/report/index.js';
import { problemLines } from '../../src/report/summary-text.js';
import { ethernetFrame, TcpConversation } from '../../src/synth/packets.js';
import { PcapWriter } from '../../src/synth/pcap-writer.js';
import { buildClientHello, wrapTlsRecords } from '../../src/synth/tls.js';
import { validate } from '../schema/record-schemas.js';
import { Double, writeMmdb } from './mmdb-writer.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'residency-geo-problems-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const geoDir = path.join(dir, 'geo');
/** A hostile file name: markup and a terminal escape. */
const EVIL = '<b>x\u001b[31m.mmdb';
const DAMAGED = path.join(geoDir, 'Damaged-City.mmdb');
const SERVER = '13.228.64.17'; // AWS Singapore in every embedded source

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => ((out += c.toString()), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => ((err += c.toString()), true));
  try {
    return { code: await main(['node', 'residency', ...args]), out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
    process.exitCode = undefined;
  }
}

beforeAll(() => {
  fs.mkdirSync(geoDir);
  // A City database holding SERVER's network, its data section overwritten: the tree leads to a record that
  // cannot be decoded.
  const buf = Buffer.from(
    writeMmdb([{ addr: [13, 228, 0, 0], bits: 15, data: { country: { iso_code: 'US' }, location: { latitude: new Double(39), longitude: new Double(-77) } } }], {
      ipVersion: 4,
      recordSize: 24,
      databaseType: 'GeoIP2-City',
    }),
  );
  const marker = buf.lastIndexOf(Buffer.from('MaxMind.com', 'latin1')) - 3;
  const treeEnd = buf.indexOf(Buffer.alloc(16)) + 16;
  buf.fill(0xff, treeEnd, marker);
  fs.writeFileSync(DAMAGED, buf);
  fs.writeFileSync(path.join(geoDir, EVIL), 'not an mmdb');
  const w = new PcapWriter({ linkType: 1 });
  const c = new TcpConversation({ client: { ip: '192.168.1.10', port: 40000 }, server: { ip: SERVER, port: 443 }, startTs: 1_772_442_000, rttMs: 60 });
  c.handshake().send('c2s', wrapTlsRecords(buildClientHello({ sni: 'api.wren-sync.com', seed: 'wren' }))).send('s2c', Buffer.alloc(800, 2)).close();
  for (const p of c.packets) w.add(ethernetFrame(p.ip), p.ts);
  fs.writeFileSync(path.join(dir, 'wren.pcap'), w.toBuffer());
  fs.writeFileSync(
    path.join(dir, 'claims.yaml'),
    'vendors:\n  - name: Wren\n    captures: [wren.pcap]\n    first_party: [wren-sync.com]\n    claims:\n      - id: wren-sg\n        text: "Stored in Singapore"\n        country: SG\n',
  );
});

const damagedWarning = new RegExp(`^residency: warning: geo data ${DAMAGED.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: damaged: some addresses could not be looked up \\(first: .*offset \\d+.*\\)$`);

describe('geolocation data files with a problem', () => {
  it('flows: the damaged file answers nothing, the others answer, and each problem file is warned about once', async () => {
    const r = await cli(['flows', '--geo-dir', geoDir, path.join(dir, 'wren.pcap')]);
    expect(r.code).toBe(0);
    const rec = JSON.parse(r.out.trim()) as { country?: string; geo_sources: { source: string }[] };
    expect(rec.country).toBe('SG');
    expect(rec.geo_sources.map((s) => s.source)).not.toContain('user-damaged-city');
    const warnings = r.err.split('\n').filter((l) => l.includes('geo data'));
    expect(warnings).toHaveLength(2);
    expect(warnings.filter((l) => damagedWarning.test(l))).toHaveLength(1);
    // The hostile name is shown with its escape made visible, never sent to the terminal raw.
    const evil = warnings.find((l) => l.includes('not used: no MaxMind DB metadata'));
    expect(evil).toBeDefined();
    expect(evil).not.toContain('\u001b');
  });

  it('geo: the same warnings after the answer', async () => {
    const r = await cli(['geo', '--geo-dir', geoDir, SERVER]);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.out) as { country: string }[])[0].country).toBe('SG');
    expect(r.err.split('\n').filter((l) => damagedWarning.test(l))).toHaveLength(1);
    expect(r.err).toContain('not used: no MaxMind DB metadata');
  });

  describe('audit', () => {
    let audit: AuditResult;
    beforeAll(async () => {
      audit = await runAudit(path.join(dir, 'claims.yaml'), { geoDir, now: () => new Date('2026-03-02T12:00:00Z') });
    }, 120_000);

    it('names each problem file in report.json geo_sources, which validates', () => {
      const problems = audit.model.geo_sources.filter((g) => g.problem !== undefined).map((g) => [g.source, g.problem?.replace(/\(first: .*\)/, '(first: ...)')]);
      expect(problems).toEqual([
        ['user--b-x-31m', 'not used: no MaxMind DB metadata'], // sorted by source id
        ['user-damaged-city', 'damaged: some addresses could not be looked up (first: ...)'],
      ]);
      expect(validate('report', JSON.parse(renderJson(audit.model)))).toEqual([]);
      // The other sources still place the flow: consistent with the claim, no source of the damaged file among them.
      const claim = audit.model.vendors[0].claims[0];
      expect(claim.totals.consistent.flows).toBe(1);
      expect(claim.evidence[0].geo_sources?.map((g) => g.source)).toEqual(['dbip-city', 'geo-whois-asn-country', 'geolite2-city']);
    });

    it('warns on stderr and shows a Problem column in HTML (escaped) and Markdown', () => {
      const lines = problemLines(audit.model).filter((l) => l.includes('geo data'));
      expect(lines.filter((l) => damagedWarning.test(l))).toHaveLength(1);
      expect(lines.every((l) => !l.includes('\u001b'))).toBe(true);
      const html = renderHtml(audit.model);
      expect(html).toContain('<th>Problem</th>');
      expect(html).toContain('damaged: some addresses could not be looked up');
      expect(html).not.toContain('<b>x');
      const md = renderMarkdown(audit.model);
      expect(md).toMatch(/\| Source \| Kind \| Version \| SHA-256 \| Problem \|/);
      expect(md).toContain('not used: no MaxMind DB metadata');
    });
  });

  it('a clean geo dir adds no Problem column and no warning', async () => {
    const clean = path.join(dir, 'clean');
    fs.mkdirSync(clean);
    const r = await cli(['flows', '--geo-dir', clean, path.join(dir, 'wren.pcap')]);
    expect(r.code).toBe(0);
    expect(r.err).not.toContain('geo data');
  });
});
