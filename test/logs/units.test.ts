// The pieces of the log reader: input detection, Zeek TSV escapes and headers, ISO times, Zeek's answers, QUIC
// version names, the naming timeline and the join bounds.

import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { JoinMap } from '../../src/logs/analyze.js';
import { detectLogInput } from '../../src/logs/detect.js';
import { DnsTimeline } from '../../src/logs/dns-timeline.js';
import { quicVersionFromEve, quicVersionFromZeek, quicVersionNumber, zeekQuicVersionText } from '../../src/logs/quic-version.js';
import { isoToEpoch } from '../../src/logs/zeek-json.js';
import { zeekAnswers } from '../../src/logs/zeek-records.js';
import { ZeekTsvParser } from '../../src/logs/zeek-tsv.js';
import type { DnsMessage } from '../../src/extract/dns/message.js';
import { DNS_TTL_GRACE_S } from '../../src/limits.js';
import { REPO_ROOT } from '../conformance/shared-corpus.js';

const FIX = join(REPO_ROOT, 'test/logs/fixtures');

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'logs-unit-'));
}

describe('detectLogInput', () => {
  it('a Zeek folder: its conn logs and the side logs it uses; other logs ignored', () => {
    const input = detectLogInput(join(FIX, 'zeek-docs-json'));
    expect(input?.kind).toBe('zeek');
    if (input?.kind !== 'zeek') return;
    expect(input.conn.map((f) => f.file.split('/').pop())).toEqual(['conn.log']);
    expect(input.side.map((f) => `${f.kind} ${f.format}`)).toEqual(['http zeek-json', 'dns zeek-json']);
  });

  it('recognises logs by content: names do not matter, gzip does not hide them', () => {
    const dir = tmp();
    copyFileSync(join(FIX, 'zeek-docs-tsv/conn.log'), join(dir, 'connections.txt'));
    writeFileSync(join(dir, 'x.gz'), gzipSync(Buffer.from(`${'{"ts":1.0,"uid":"Cx","id.orig_h":"1.2.3.4","trans_id":1}\n'}`)));
    const input = detectLogInput(dir);
    expect(input?.kind).toBe('zeek');
    if (input?.kind !== 'zeek') return;
    expect(input.conn.map((f) => f.format)).toEqual(['zeek-tsv']);
    expect(input.side.map((f) => f.kind)).toEqual(['dns']);
    expect(detectLogInput(join(FIX, 'suricata-docs/eve.json'))?.kind).toBe('eve');
  });

  it('a conn log given alone takes the siblings that share its name (rotated names too)', () => {
    const dir = tmp();
    copyFileSync(join(FIX, 'zeek-docs-tsv/conn.log'), join(dir, 'conn.14:00:00-15:00:00.log'));
    copyFileSync(join(FIX, 'zeek-docs-tsv/dns.log'), join(dir, 'dns.14:00:00-15:00:00.log'));
    copyFileSync(join(FIX, 'zeek-docs-tsv/dns.log'), join(dir, 'dns.15:00:00-16:00:00.log'));
    const input = detectLogInput(join(dir, 'conn.14:00:00-15:00:00.log'));
    expect(input?.kind === 'zeek' ? input.side.map((f) => f.file.split('/').pop()) : null).toEqual(['dns.14:00:00-15:00:00.log']);
  });

  it('refuses a side log alone, a folder without logs, a folder of both kinds; a capture is not logs', () => {
    expect(() => detectLogInput(join(FIX, 'zeek-docs-tsv/dns.log'))).toThrow(expect.objectContaining({ code: 'log_not_conn' }));
    const empty = tmp();
    writeFileSync(join(empty, 'notes.txt'), 'hello\n');
    expect(() => detectLogInput(empty)).toThrow(expect.objectContaining({ code: 'log_none' }));
    const mixed = tmp();
    copyFileSync(join(FIX, 'zeek-docs-tsv/conn.log'), join(mixed, 'conn.log'));
    copyFileSync(join(FIX, 'suricata-docs/eve.json'), join(mixed, 'eve.json'));
    expect(() => detectLogInput(mixed)).toThrow(expect.objectContaining({ code: 'log_mixed' }));
    expect(detectLogInput(join(REPO_ROOT, 'captures/vendor-alder/alder-phone.pcap'))).toBeNull();
    expect(detectLogInput(join(empty, 'notes.txt'))).toBeNull();
  });
});

describe('Zeek TSV', () => {
  it('unescapes \\xNN, keeps an escaped "-" apart from unset, reads sets and (empty)', () => {
    const p = new ZeekTsvParser();
    for (const h of ['#separator \\x09', '#set_separator\t,', '#empty_field\t(empty)', '#unset_field\t-', '#fields\ta\tb\tc\td', '#types\tstring\tset[string]\tvector[count]\tstring']) p.line(h);
    const row = p.line('tab\\x09in\tx,y\\x2cz\t(empty)\t\\x2d');
    expect(row).toEqual(new Map<string, unknown>([['a', 'tab\tin'], ['b', ['x', 'y,z']], ['c', []], ['d', '-']]));
    const unset = p.line('-\t-\t-\t-');
    expect(unset).toEqual(new Map());
  });

  it('a header may come again mid-file (concatenated logs) and replaces the fields', () => {
    const p = new ZeekTsvParser();
    for (const h of ['#separator \\x09', '#fields\ta', '#types\tcount']) p.line(h);
    expect(p.line('7')).toEqual(new Map([['a', 7]]));
    for (const h of ['#separator \\x09', '#fields\tb\tc', '#types\tstring\tbool']) p.line(h);
    expect(p.line('x\tT')).toEqual(new Map<string, unknown>([['b', 'x'], ['c', true]]));
  });

  it('says what is wrong with a line', () => {
    const p = new ZeekTsvParser();
    expect(p.line('1\t2')).toEqual({ error: 'data line before the #fields header' });
    for (const h of ['#separator \\x09', '#fields\ta\tb', '#types\tcount\tbool']) p.line(h);
    expect(p.line('1')).toEqual({ error: 'expected 2 fields (#fields), found 1' });
    expect(p.line('x\tT')).toEqual({ error: 'field a: "x" is not a count' });
    expect(p.line('1\tyes')).toEqual({ error: 'field b: "yes" is not a bool' });
  });
});

describe('isoToEpoch', () => {
  it('reads zones, fractions and Z', () => {
    expect(isoToEpoch('2020-02-26T03:40:03.724911Z')).toBe(1582688403.724911);
    expect(isoToEpoch('2019-05-28T23:32:29.025256+0200')).toBe(1559079149.025256);
    expect(isoToEpoch('2015-10-20T16:08:08.083366-0600')).toBe(1445378888.083366);
    expect(isoToEpoch('2009-11-24T21:27:09.534255')).toBe(1259098029.534255);
    expect(isoToEpoch('yesterday')).toBeUndefined();
  });
});

describe("Zeek's answers", () => {
  it('rebuild a CNAME chain ending in addresses', () => {
    expect(zeekAnswers('www.a.com', 1, ['edge.cdn.net', 'e1.cdn.net', '192.0.2.1', '2001:db8::1'], [300, 60, 20, 20])).toEqual([
      { name: 'www.a.com', type: 'CNAME', data: 'edge.cdn.net', ttl: 300 },
      { name: 'edge.cdn.net', type: 'CNAME', data: 'e1.cdn.net', ttl: 60 },
      { name: 'e1.cdn.net', type: 'A', data: '192.0.2.1', ttl: 20 },
      { name: 'e1.cdn.net', type: 'AAAA', data: '2001:db8::1', ttl: 20 },
    ]);
  });

  it('keep the query type for names of PTR/MX answers; TXT and unknown types', () => {
    expect(zeekAnswers('1.2.0.192.in-addr.arpa', 12, ['host.example'], [3600])[0]).toMatchObject({ type: 'PTR', data: 'host.example' });
    expect(zeekAnswers('a.com', 16, ['TXT 5 hello'], [1])[0]).toMatchObject({ type: 'TXT', data: 'hello' });
    expect(zeekAnswers('a.com', 65, ['<unknown type=65>'], [1])[0]).toMatchObject({ type: 'HTTPS', data: '' });
  });
});

describe('QUIC version names from logs', () => {
  it('map Zeek and Suricata texts to ours, and back', () => {
    expect(quicVersionFromZeek('1')).toBe('v1');
    expect(quicVersionFromZeek('quicv2')).toBe('v2');
    expect(quicVersionFromZeek('draft-29')).toBe('draft-29');
    expect(quicVersionFromZeek('mvfst (faceb002)')).toBe('mvfst-draft-27');
    expect(quicVersionFromZeek('unknown-51303530')).toBe('Q050');
    expect(quicVersionFromZeek('unknown-1a2a3a4a')).toBe('0x1a2a3a4a');
    expect(quicVersionFromEve('1')).toBe('v1');
    expect(quicVersionFromEve('ff00001d')).toBe('draft-29');
    expect(quicVersionFromEve('Q046')).toBe('Q046');
    expect(quicVersionFromEve(1362113590)).toBe('Q046'); // the docs' example logs the number
    for (const name of ['v1', 'v2', 'draft-27', 'mvfst-draft-22', '0x1a2a3a4a']) {
      const n = quicVersionNumber(name) as number;
      expect(quicVersionFromZeek(zeekQuicVersionText(n))).toBe(name);
    }
  });
});

const response = (qname: string, answers: { name: string; type: string; data: string; ttl: number }[]): DnsMessage => ({
  id: 1, isResponse: true, opcode: 0, rcode: 0, qname, qtype: 1, answers, glue: [],
});

describe('DnsTimeline', () => {
  it('names a flow by the last answer before its start, within TTL + grace, per client', () => {
    const t = new DnsTimeline();
    t.addResponse('10.0.0.2', response('a.com', [{ name: 'a.com', type: 'A', data: '192.0.2.1', ttl: 60 }]), 100, 'Cdns1', 5);
    t.addResponse('10.0.0.2', response('b.com', [{ name: 'b.com', type: 'A', data: '192.0.2.1', ttl: 60 }]), 200, 'Cdns2', 9);
    expect(t.lookup('10.0.0.2', '192.0.2.1', 99)).toBeUndefined();
    expect(t.lookup('10.0.0.2', '192.0.2.1', 150)).toMatchObject({ hostname: 'a.com', uid: 'Cdns1', frame: 5 });
    expect(t.lookup('10.0.0.2', '192.0.2.1', 250)).toMatchObject({ hostname: 'b.com', uid: 'Cdns2' });
    expect(t.lookup('10.0.0.2', '192.0.2.1', 200 + 60 + DNS_TTL_GRACE_S + 1)).toBeUndefined();
    expect(t.lookup('10.0.0.3', '192.0.2.1', 150)).toBeUndefined();
  });

  it('drops the oldest namings beyond its bound', () => {
    const t = new DnsTimeline(undefined, 2);
    for (let i = 0; i < 3; i++) t.addResponse('c', response(`n${i}.com`, [{ name: `n${i}.com`, type: 'A', data: `192.0.2.${i}`, ttl: 600 }]), i, undefined, -1);
    expect(t.dropped).toBe(1);
    expect(t.lookup('c', '192.0.2.0', 10)).toBeUndefined();
    expect(t.lookup('c', '192.0.2.2', 10)?.hostname).toBe('n2.com');
  });
});

describe('JoinMap', () => {
  it('merges rows of one key (first value wins) and forgets the oldest key beyond its bound', () => {
    const j = new JoinMap<string>(2);
    j.add('C1', { sni: 'a.com' });
    j.add('C1', { sni: 'b.com', quicVersion: 'v1' });
    j.add('C2', { httpHost: 'h.com' });
    j.add('C3', { sni: 'c.com' });
    expect(j.dropped).toBe(1);
    expect(j.take('C1')).toBeUndefined();
    expect(j.take('C2')).toEqual({ httpHost: 'h.com' });
    expect(j.take('C2')).toBeUndefined();
    const k = new JoinMap<string>(5);
    k.add('C1', { sni: 'a.com' });
    k.add('C1', { sni: 'b.com', quicVersion: 'v1' });
    expect(k.take('C1')).toEqual({ sni: 'a.com', quicVersion: 'v1' });
  });
});
