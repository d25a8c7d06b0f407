import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COVERAGE_SOURCES, coverageOf, coverageSource, CoverageTally, isUndecryptableQuic, sharesInTenths, type CoverageFlow } from '../../src/audit/coverage.js';

const base: CoverageFlow = { bytes_up: 100, transport: 'tcp', server_ip: '13.250.0.1', server_port: 443 };

describe('coverageSource', () => {
  const cases: [string, Partial<CoverageFlow>, string][] = [
    ['TLS SNI', { sni: 'a.example', hostname: 'a.example', name_source: 'tls_sni' }, 'tls_sni'],
    ['QUIC SNI', { transport: 'udp', quic: 'a.example', hostname: 'a.example', name_source: 'quic_sni' }, 'quic_sni'],
    ['HTTP Host', { server_port: 80, hostname: 'a.example', name_source: 'http_host' }, 'http_host'],
    ['DNS answer', { hostname: 'a.example', name_source: 'dns' }, 'dns'],
    ['DNS HTTPS hint', { hostname: 'a.example', name_source: 'dns_https_hint' }, 'dns_https_hint'],
    ['vendor network (name_source)', { name_source: 'network', first_party_via: 'network' }, 'network'],
    ['vendor network (first_party_via only)', { first_party_via: 'network' }, 'network'],
    ['same address as a named flow', { first_party_via: 'address' }, 'address'],
    ['ECH: the SNI is the cover name', { sni: 'cover.example', hostname: 'cover.example', name_source: 'tls_sni', ech: true }, 'ech'],
    ['DoH by resolver address', { server_ip: '1.1.1.1' }, 'doh'],
    ['DoT by resolver name', { server_port: 853, sni: 'dns.google', hostname: 'dns.google', name_source: 'tls_sni' }, 'doh'],
    ['resolver address on another port is not encrypted DNS', { server_ip: '8.8.8.8', server_port: 8443 }, 'unnamed'],
    ['QUIC with an unknown version', { transport: 'udp', anomalies: ['quic_version_unknown'] }, 'quic_undecryptable'],
    ['QUIC whose Initial failed to decrypt', { transport: 'udp', anomalies: ['udp_other', 'quic_initial_decrypt_failed'] }, 'quic_undecryptable'],
    ['QUIC anomaly but a name from DNS', { transport: 'udp', anomalies: ['quic_version_unknown'], hostname: 'a.example', name_source: 'dns' }, 'dns'],
    ['QUIC anomaly on a flow tied by address', { transport: 'udp', anomalies: ['quic_version_unknown'], first_party_via: 'address' }, 'address'],
    ['other anomalies only', { transport: 'udp', anomalies: ['quic_frame_truncated'] }, 'unnamed'],
    ['a name source that named nothing', { name_source: 'dns' }, 'unnamed'],
    ['nothing at all', {}, 'unnamed'],
  ];
  for (const [what, over, want] of cases) {
    it(what, () => expect(coverageSource({ ...base, ...over })).toBe(want));
  }

  it('never calls a TCP flow undecryptable QUIC', () => {
    expect(isUndecryptableQuic({ transport: 'tcp', anomalies: ['quic_version_unknown'] })).toBe(false);
  });
});

describe('coverage shares', () => {
  it('splits 1000 tenths by largest remainder', () => {
    expect(sharesInTenths([1, 1, 1], 3)).toEqual([334, 333, 333]);
    expect(sharesInTenths([0, 0], 0)).toEqual([0, 0]);
    expect(sharesInTenths([5, 0, 995], 1000)).toEqual([5, 0, 995]);
  });

  it('always adds up to exactly 100.0 %, each share within 0.1 of the exact value, zero parts stay zero', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 1e9 }), { minLength: 1, maxLength: 11 }), (parts) => {
        const total = parts.reduce((a, b) => a + b, 0);
        const t = sharesInTenths(parts, total);
        if (total === 0) return t.every((x) => x === 0);
        expect(t.reduce((a, b) => a + b, 0)).toBe(1000);
        parts.forEach((p, i) => {
          expect(Math.abs(t[i] - (p * 1000) / total)).toBeLessThan(1);
          if (p === 0) expect(t[i]).toBe(0);
        });
        return true;
      }),
    );
  });

  it('a tally lists every source, sums bytes and flows, and keeps its scope', () => {
    const c = coverageOf(
      [
        { ...base, bytes_up: 600, hostname: 'a.example', name_source: 'tls_sni' },
        { ...base, bytes_up: 300, first_party_via: 'address' },
        { ...base, bytes_up: 100, ech: true, name_source: 'tls_sni' },
      ],
      'vendor_non_local_upload',
    );
    expect(Object.keys(c.sources)).toEqual([...COVERAGE_SOURCES]);
    expect(c).toMatchObject({ scope: 'vendor_non_local_upload', bytes_up: 1000, flows: 3 });
    expect(c.sources.tls_sni).toEqual({ bytes_up: 600, flows: 1, share: 60 });
    expect(c.sources.address).toEqual({ bytes_up: 300, flows: 1, share: 30 });
    expect(c.sources.ech).toEqual({ bytes_up: 100, flows: 1, share: 10 });
    expect(c.sources.unnamed).toEqual({ bytes_up: 0, flows: 0, share: 0 });
  });

  it('adding aggregates gives the same result as adding flows one by one', () => {
    const one = new CoverageTally();
    for (let i = 0; i < 5; i++) one.add('dns', 10);
    const agg = new CoverageTally();
    agg.add('dns', 50, 5);
    expect(agg.result('claim_in_scope_and_hidden_upload')).toEqual(one.result('claim_in_scope_and_hidden_upload'));
  });
});
