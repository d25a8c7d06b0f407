// Owns deciding whether a capture's handshakes were answered on the phone itself, so that its handshake RTTs say
// nothing about distance (the back half then turns the physical check off: pipeline/flow-geo.ts for `flows`, the
// case store for `ingest`). Reads only what the flow records and the capture's link types say.

import { parseIpv4 } from '../decode/ip-format.js';
import { GEO_SYNTHESIZED_MIN_FLOWS, GEO_SYNTHESIZED_RTT_MS } from '../limits.js';

/** pcap LINKTYPE_RAW (101) and DLT_RAW values some writers use (12, 14): packets start at the IP header. */
export const RAW_IP_LINK_TYPES: readonly number[] = [101, 12, 14, 228, 229];

const PCAPDROID_NET = parseIpv4('10.215.173.0');

/**
 * Detects captures whose handshakes were answered on the phone itself (PCAPdroid's non-root VPN mode terminates
 * TCP locally, so SYN -> SYN/ACK measures nothing): a raw-IP link type with client addresses in 10.215.173.0/24,
 * or every flow that has an RTT has one under GEO_SYNTHESIZED_RTT_MS (with at least GEO_SYNTHESIZED_MIN_FLOWS).
 */
export function detectSynthesizedHandshakes(
  flows: Iterable<{ client_ip: string; rtt_ms?: number }>,
  linkTypes: number[],
): { synthesized: boolean; reason?: string } {
  const d = new SynthesisDetector();
  for (const f of flows) d.add(f);
  return d.result(linkTypes);
}

/**
 * detectSynthesizedHandshakes as a stream, in constant memory: add() each flow in order, result() once the capture's
 * link types are known. The one implementation of the rule (detectSynthesizedHandshakes runs it).
 */
export class SynthesisDetector {
  /** Client address of the first flow from PCAPdroid's VPN range, if any. */
  private pcapdroidClient: string | undefined;
  private withRtt = 0;
  private slow = false;

  add(f: { client_ip: string; rtt_ms?: number }): void {
    if (this.pcapdroidClient === undefined) {
      const v4 = parseIpv4(f.client_ip);
      if (v4 >= 0 && ((v4 & 0xffffff00) >>> 0) === PCAPDROID_NET) this.pcapdroidClient = f.client_ip;
    }
    if (f.rtt_ms === undefined || !Number.isFinite(f.rtt_ms) || this.slow) return;
    this.withRtt++;
    if (f.rtt_ms >= GEO_SYNTHESIZED_RTT_MS) this.slow = true;
  }

  result(linkTypes: number[]): { synthesized: boolean; reason?: string } {
    if (this.pcapdroidClient !== undefined && linkTypes.some((t) => RAW_IP_LINK_TYPES.includes(t))) {
      return {
        synthesized: true,
        reason: `raw-IP link type with PCAPdroid VPN client address ${this.pcapdroidClient} (10.215.173.0/24): handshakes are answered on the device`,
      };
    }
    if (this.slow) return { synthesized: false };
    if (this.withRtt >= GEO_SYNTHESIZED_MIN_FLOWS) {
      return {
        synthesized: true,
        reason: `all ${this.withRtt} flows with a handshake RTT measured under ${GEO_SYNTHESIZED_RTT_MS} ms: handshakes are synthesised locally`,
      };
    }
    return { synthesized: false };
  }
}
