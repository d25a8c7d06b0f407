import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DeviceNamer, isLocalFlow } from '../../src/audit/attribution.js';
import { FirstPartyMatcher, flowNames, hiddenReason, isEncryptedDns } from '../../src/audit/first-party.js';

const base = { server_ip: '13.250.0.1', server_port: 443 };

describe('first-party matching', () => {
  const m = new FirstPartyMatcher(['vendora-sync.com', 'vendor.appspot.com']);

  it.each([
    ['vendora-sync.com', true],
    ['api.eu.vendora-sync.com', true],
    ['API.Vendora-Sync.COM.', true],
    ['vendora-sync.com.evil.net', false],
    ['notvendora-sync.com', false],
    ['vendor.appspot.com', true],
    ['x.vendor.appspot.com', true],
    ['other.appspot.com', false],
    ['13.250.0.1', false],
  ])('%s -> %s', (name, want) => {
    expect(m.matchesName(name)).toBe(want);
  });

  it('matches through any name of the CNAME chain, the DNS query, SNI, QUIC SNI or HTTP Host', () => {
    expect(m.matchesFlow({ hostname: 'd1.cloudfront.net', cname_chain: ['upload.vendora-sync.com', 'd1.cloudfront.net'] })).toBe(true);
    expect(m.matchesFlow({ dns_qname: 'x.vendora-sync.com' })).toBe(true);
    expect(m.matchesFlow({ quic: 'q.vendora-sync.com' })).toBe(true);
    expect(m.matchesFlow({ http_host: 'h.vendora-sync.com:8080' })).toBe(true);
    expect(m.matchesFlow({ sni: 'cdn.example.net', hostname: 'cdn.example.net' })).toBe(false);
    expect(m.matchesFlow({})).toBe(false);
  });

  it('never throws and never matches a name outside the domains (property)', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const r = m.matchesName(s);
        if (r) expect(s.toLowerCase().replace(/\.$/, '').endsWith('vendora-sync.com') || s.toLowerCase().includes('vendor.appspot.com')).toBe(true);
      }),
    );
  });

  it('lists each name once, lower-cased', () => {
    expect(flowNames({ hostname: 'A.com', sni: 'a.com', cname_chain: ['a.com', 'B.net.'] })).toEqual(['a.com', 'b.net']);
  });

  it('leaves address literals out: an SNI or Host that is an address names nothing', () => {
    expect(flowNames({ sni: '10.42.0.243', http_host: '[2001:db8::1]', quic: '::1' })).toEqual([]);
    expect(flowNames({ sni: '10.42.0.243', dns_qname: 'api.vendor.com' })).toEqual(['api.vendor.com']);
  });
});

describe('hidden names', () => {
  it.each([
    [{ ...base, server_ip: '1.1.1.1' }, 'doh'],
    [{ ...base, server_ip: '104.16.248.249', hostname: 'cloudflare-dns.com' }, 'doh'],
    [{ ...base, server_ip: '9.9.9.9', server_port: 853 }, 'doh'],
    [{ ...base, hostname: 'cloudflare-ech.com', sni: 'cloudflare-ech.com', ech: true }, 'ech'],
    [{ ...base }, 'no_name'],
    [{ ...base, hostname: 'api.vendor.com' }, undefined],
    [{ ...base, sni: '13.250.0.7' }, 'no_name'],
  ] as const)('%j -> %s', (flow, want) => {
    expect(hiddenReason(flow)).toBe(want);
  });

  it('does not call plain DNS to a public resolver encrypted DNS', () => {
    expect(isEncryptedDns({ server_ip: '8.8.8.8', server_port: 53 })).toBe(false);
  });
});

describe('attribution', () => {
  const namer = new DeviceNamer([{ name: 'pixel', ip: '192.168.1.20' }, { name: 'tab', mac: '02:00:00:00:00:01' }]);
  it('names devices by MAC first, then IP, else IP (+ MAC)', () => {
    expect(namer.label('192.168.1.99', '02:00:00:00:00:01')).toBe('tab');
    expect(namer.label('192.168.1.20')).toBe('pixel');
    expect(namer.label('192.168.1.21', 'AA:BB:CC:DD:EE:FF')).toBe('192.168.1.21 (aa:bb:cc:dd:ee:ff)');
    expect(namer.label('10.0.0.5')).toBe('10.0.0.5');
  });

  it('treats private servers and DNS/NTP/mDNS as local', () => {
    expect(isLocalFlow({ server_port: 443, country_agreement: 'private' })).toBe(true);
    expect(isLocalFlow({ server_port: 53, country_agreement: 'agree' })).toBe(true);
    expect(isLocalFlow({ server_port: 123 })).toBe(true);
    expect(isLocalFlow({ server_port: 443, country_agreement: 'agree' })).toBe(false);
  });
});
