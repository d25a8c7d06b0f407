import { describe, expect, it } from 'vitest';
import { GeoBatcher, SynthesisGate } from '../../src/pipeline/flow-geo.js';
import { detectSynthesizedHandshakes } from '../../src/flow/synthesized-handshakes.js';
import type { GeoLocator } from '../../src/geo/locator.js';
import type { FlowGeoFields, FlowRecord } from '../../src/types.js';

function flow(id: number, ip: string): FlowRecord {
  return {
    flow_id: id, transport: 'tcp', ip_version: 4, client_ip: '10.0.0.2', client_port: 40000 + id, server_ip: ip,
    server_port: 443, first_seen: 0, last_seen: 0, first_frame: id, packets_up: 1, packets_down: 1, bytes_up: 1,
    bytes_down: 1, payload_up: 0, payload_down: 0, end_reason: 'end',
  };
}

describe('GeoBatcher', () => {
  it('holds records until the batch is full, enriches each once, and emits them in arrival order', () => {
    const enriched: number[] = [];
    const fake = {
      enrichFlow: (f: FlowRecord) => {
        enriched.push(f.flow_id);
        return { country: f.server_ip === '1.1.1.1' ? 'AU' : 'US' };
      },
    } as unknown as GeoLocator;
    const out: [number, string | undefined][] = [];
    const b = new GeoBatcher(fake, (r, g) => out.push([r.flow_id, g.country]), 3);
    b.add(flow(1, '8.8.8.8'));
    b.add(flow(2, '1.1.1.1'));
    expect(out).toEqual([]);
    expect(enriched).toEqual([]); // nothing is looked up before the batch is full
    b.add(flow(3, '8.8.8.8'));
    expect(enriched).toEqual([1, 2, 3]);
    b.add(flow(4, '9.9.9.9'));
    b.add(flow(5, '1.1.1.1'));
    b.flush();
    expect(enriched).toEqual([1, 2, 3, 4, 5]);
    expect(out).toEqual([
      [1, 'US'],
      [2, 'AU'],
      [3, 'US'],
      [4, 'US'],
      [5, 'AU'],
    ]);
    b.flush();
    expect(out).toHaveLength(5);
  });
});

describe('SynthesisGate (flows --vantage)', () => {
  const withRtt = (id: number, rtt: number | undefined, client = '10.0.0.2'): FlowRecord => ({ ...flow(id, '8.8.8.8'), client_ip: client, rtt_ms: rtt });
  function gate(maxHeld: number) {
    const out: number[] = [];
    const disabledAt: number[] = [];
    const reasons: string[] = [];
    let early = 0;
    const fake = {
      enrichFlow: (f: FlowRecord) => {
        out.push(f.flow_id);
        return {} as FlowGeoFields;
      },
    } as unknown as GeoLocator;
    const physical: string[] = [];
    // As FlowEnricher does: the vantage rule reads the gate's decision when each record is emitted.
    const g: SynthesisGate = new SynthesisGate(fake, () => physical.push(g.synthesized ? 'unchecked' : 'plausible'), maxHeld, {
      disabled: (r) => {
        reasons.push(r);
        disabledAt.push(out.length);
      },
      decidedEarly: (n) => {
        early = n;
      },
    });
    return { g, out, reasons, physical, early: () => early };
  }

  it('decides at once on a raw-IP capture from a PCAPdroid VPN address, with the same reason as the whole-capture rule', () => {
    const t = gate(100);
    t.g.linkType(101);
    t.g.add(withRtt(1, 30, '10.215.173.1'));
    expect(t.g.heldCount).toBe(0);
    const whole = detectSynthesizedHandshakes([withRtt(1, 30, '10.215.173.1')], [101]);
    expect(t.reasons).toEqual([whole.reason]);
    t.g.add(withRtt(2, 40));
    t.g.finish([101]);
    expect(t.out).toEqual([1, 2]);
    expect(t.physical).toEqual(['unchecked', 'unchecked']);
  });

  it('decides "not synthesised" at the first real RTT on a non-raw capture and streams from there', () => {
    const t = gate(100);
    t.g.linkType(1);
    t.g.add(withRtt(1, 0.2));
    t.g.add(withRtt(2, undefined));
    expect(t.g.heldCount).toBe(2);
    t.g.add(withRtt(3, 12));
    expect(t.g.heldCount).toBe(0);
    t.g.add(withRtt(4, 0.1));
    t.g.finish([1]);
    expect(t.reasons).toEqual([]);
    expect(t.out).toEqual([1, 2, 3, 4]);
  });

  it('holds until the end when undecided and then decides on the whole capture, as before the hold was bounded', () => {
    const t = gate(100);
    t.g.linkType(1);
    for (let i = 1; i <= 5; i++) t.g.add(withRtt(i, 0.3));
    expect(t.out).toEqual([]);
    t.g.finish([1]);
    expect(t.reasons).toEqual([detectSynthesizedHandshakes([1, 2, 3, 4, 5].map((i) => withRtt(i, 0.3)), [1]).reason]);
    expect(t.early()).toBe(0);
    expect(t.physical).toEqual(Array(5).fill('unchecked'));
  });

  it('never holds more than its bound: decides on what it holds, says so, and streams the rest', () => {
    const t = gate(3);
    t.g.linkType(101);
    for (let i = 1; i <= 10; i++) {
      t.g.add(withRtt(i, 0.3));
      expect(t.g.heldCount).toBeLessThanOrEqual(3);
    }
    t.g.finish([101]);
    expect(t.early()).toBe(3);
    expect(t.out).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(t.reasons).toHaveLength(1);
  });
});
