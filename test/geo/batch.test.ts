import { describe, expect, it } from 'vitest';
import { GeoBatcher } from '../../src/geo/batch.js';
import type { GeoLocator } from '../../src/geo/locator.js';
import type { FlowRecord } from '../../src/types.js';

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
