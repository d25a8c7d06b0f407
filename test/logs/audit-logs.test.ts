// `audit` over logs: the sample case's claims file pointed at Zeek logs and at eve.json written from the same
// captures gives the verdicts the captures give, except where the evidence is what logs cannot carry.

import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { runAudit, type AuditResult } from '../../src/pipeline/back-half.js';
import { renderHtml, renderJson, renderMarkdown } from '../../src/report/index.js';
import { writeZeekLogs } from '../../src/synth/zeek-log-writer.js';
import { writeEve } from '../../src/synth/eve-writer.js';
import { REPO_ROOT } from '../conformance/shared-corpus.js';
import { captureRecords, linkHeaderBytes } from './sample-logs.js';

const fixed = (): Date => new Date('2026-03-02T12:00:00Z');

interface ClaimsYaml {
  vendors: { name: string; captures: string[] }[];
}

/** The sample claims file with each vendor's captures replaced by logs written from them, in `dir`. */
async function logsCase(dir: string, kind: 'zeek' | 'eve'): Promise<string> {
  const claims = parse(readFileSync(path.join(REPO_ROOT, 'captures/claims.yaml'), 'utf8')) as ClaimsYaml;
  for (const v of claims.vendors) {
    const inputs: string[] = [];
    for (const pattern of v.captures) {
      const folder = path.dirname(pattern);
      const { readdirSync } = await import('node:fs');
      for (const name of readdirSync(path.join(REPO_ROOT, 'captures', folder))) {
        const r = await captureRecords(path.join(REPO_ROOT, 'captures', folder, name));
        const out = path.join(dir, folder, `${name}.${kind}`);
        mkdirSync(out, { recursive: true });
        if (kind === 'zeek') {
          for (const [log, text] of Object.entries(writeZeekLogs(r.flows, r.dns, { format: 'tsv', policies: true }))) writeFileSync(path.join(out, `${log}.log`), text);
          inputs.push(`${folder}/${name}.zeek`); // a Zeek log folder
        } else {
          writeFileSync(path.join(out, 'eve.json'), writeEve(r.flows, r.dns, { linkHeaderBytes: linkHeaderBytes(r.summary.link_types) }));
          inputs.push(`${folder}/${name}.eve/eve.json`);
        }
      }
    }
    v.captures = inputs;
  }
  const file = path.join(dir, 'claims.yaml');
  writeFileSync(file, stringify(claims));
  return file;
}

const verdicts = (r: AuditResult): Record<string, string> => Object.fromEntries(r.model.vendors.flatMap((v) => v.claims.map((c) => [c.id, c.verdict])));
const reasons = (r: AuditResult, id: string): string[] => r.model.vendors.flatMap((v) => v.claims).find((c) => c.id === id)?.reasons.map((x) => x.code) ?? [];

describe('audit over logs written from the sample captures', () => {
  let pcap: AuditResult;
  const logs: Record<string, AuditResult> = {};

  beforeAll(async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'audit-logs-'));
    pcap = await runAudit(path.join(REPO_ROOT, 'captures/claims.yaml'), { now: fixed });
    for (const kind of ['zeek', 'eve'] as const) {
      const d = path.join(dir, kind);
      mkdirSync(d);
      logs[kind] = await runAudit(await logsCase(d, kind), { db: path.join(d, 'case.db'), now: fixed });
    }
  }, 180_000);

  it.each(['zeek', 'eve'])('%s: the verdicts of the captures, but for the claim refuted by handshake RTT alone', (kind) => {
    const got = verdicts(logs[kind]);
    const want = verdicts(pcap);
    // Vendor Dogwood's claim is refuted only by the physical check on handshake RTTs (captures/README.md); neither
    // Zeek's nor Suricata's logs carry a handshake RTT, so from logs nothing refutes it.
    expect(reasons(pcap, 'dogwood-us-aws')[0]).toBe('claimed_location_impossible');
    expect(reasons(logs[kind], 'dogwood-us-aws')).not.toContain('claimed_location_impossible');
    const { 'dogwood-us-aws': _d1, ...rest } = got;
    const { 'dogwood-us-aws': _d2, ...restWant } = want;
    expect(rest).toEqual(restWant);
    // ECH is not in Zeek's ssl.log nor in Suricata's tls events: Vendor Cedar's TLS flow to the ECH public name is
    // hidden evidence in the captures only; its DNS over HTTPS still hides the vendor's names, so the verdict stands.
    expect(reasons(pcap, 'cedar-in')).toContain('names_hidden_ech');
    const noEch = (xs: string[]): string[] => xs.filter((x) => x !== 'names_hidden_ech');
    // With a vantage, every location claim with in-scope upload from logs says its physics was not checked.
    const unchecked = (id: string, xs: string[]): string[] => {
      const c = pcap.model.vendors.flatMap((v) => v.claims).find((x) => x.id === id);
      return c !== undefined && c.totals.in_scope.bytes_up > 0 ? [...xs.filter((x) => x !== 'coverage_met' && x !== 'coverage_below_threshold'), 'physical_check_unavailable', ...xs.filter((x) => x === 'coverage_met' || x === 'coverage_below_threshold')] : xs;
    };
    for (const id of Object.keys(rest)) expect(reasons(logs[kind], id)).toEqual(unchecked(id, noEch(reasons(pcap, id))));
    expect(reasons(pcap, 'alder-sg-aws')).not.toContain('physical_check_unavailable');
    // Names, provider and every database agree with Dogwood's claim: without the RTT it is confirmed. The README
    // says so under "Logs as input": the physical check needs captures (or a measurement file).
    expect(got['dogwood-us-aws']).toBe('confirmed');
    // ... and says so: the claim's reasons name the log input and its unchecked bytes, in every report format.
    const dogwood = logs[kind].model.vendors.flatMap((v) => v.claims).find((c) => c.id === 'dogwood-us-aws');
    const caveat = dogwood?.reasons.find((x) => x.code === 'physical_check_unavailable');
    expect(caveat?.text).toContain('dogwood-tablet-rawip.pcap');
    expect(caveat?.text).toContain(`${dogwood?.totals.in_scope.bytes_up} in-scope upload bytes`);
    expect(caveat?.text).toContain(kind === 'zeek' ? 'Zeek logs carry no handshake RTT' : 'Suricata eve.json carries no handshake RTT');
    for (const text of [renderJson(logs[kind].model), renderMarkdown(logs[kind].model), renderHtml(logs[kind].model)]) expect(text).toContain('could not be checked against the handshake RTT from the vantage');
    expect(logs[kind].model.inputs).toHaveLength(pcap.model.inputs.length);
    for (const i of logs[kind].model.inputs) expect(i.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('the byte totals of each claim are those of the captures (Zeek: IP-level counts; eve: whole frames less Ethernet)', () => {
    const totals = (r: AuditResult): Record<string, number> =>
      Object.fromEntries(r.model.vendors.flatMap((v) => v.claims).map((c) => [c.id, c.totals.in_scope.bytes_up]));
    expect(totals(logs.zeek)).toEqual(totals(pcap));
    // eve.json assumes Ethernet framing: exact for the Ethernet captures; the raw-IP one (Dogwood) loses 14 bytes a
    // packet that its frames never had.
    const eve = totals(logs.eve);
    const want = totals(pcap);
    for (const id of ['alder-sg-aws', 'birch-sg-aws', 'cedar-in']) expect(eve[id]).toBe(want[id]);
    expect(eve['dogwood-us-aws']).toBeLessThan(want['dogwood-us-aws']);
  });
});
