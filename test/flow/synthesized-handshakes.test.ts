// The detection of locally synthesised handshakes (PCAPdroid non-root VPN mode), whose RTTs say nothing about
// distance.

import { describe, expect, it } from 'vitest';
import { detectSynthesizedHandshakes } from '../../src/flow/synthesized-handshakes.js';

describe('detectSynthesizedHandshakes', () => {
  it('raw-IP link type with a PCAPdroid VPN client address', () => {
    const r = detectSynthesizedHandshakes([{ client_ip: '10.215.173.1', rtt_ms: 35 }], [101]);
    expect(r.synthesized).toBe(true);
    expect(r.reason).toMatch(/PCAPdroid/);
  });

  it('the same address on Ethernet is not evidence by itself', () => {
    expect(detectSynthesizedHandshakes([{ client_ip: '10.215.173.1', rtt_ms: 35 }], [1]).synthesized).toBe(false);
  });

  it('every RTT sub-millisecond (three or more flows)', () => {
    const flows = [0.1, 0.2, 0.05].map((rtt_ms) => ({ client_ip: '192.168.1.2', rtt_ms }));
    const r = detectSynthesizedHandshakes([...flows, { client_ip: '192.168.1.2' }], [1]);
    expect(r.synthesized).toBe(true);
    expect(r.reason).toMatch(/all 3 flows/);
  });

  it('one real RTT clears the suspicion; too few flows say nothing', () => {
    const flows = [0.1, 0.2, 12].map((rtt_ms) => ({ client_ip: '192.168.1.2', rtt_ms }));
    expect(detectSynthesizedHandshakes(flows, [1]).synthesized).toBe(false);
    expect(detectSynthesizedHandshakes([{ client_ip: '192.168.1.2', rtt_ms: 0.1 }], [1]).synthesized).toBe(false);
    expect(detectSynthesizedHandshakes([], [101]).synthesized).toBe(false);
  });
});
