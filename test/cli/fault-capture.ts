// Captures for the fault tests, built with src/synth: many short UDP flows (enough output to fill several
// stdout batches), and an endless stream of them for "stop reading when nobody reads the output".

import { PcapWriter } from '../../src/synth/pcap-writer.js';
import { ethernetFrame, udpPacket } from '../../src/synth/packets.js';

export const FLOW_T0 = 1_700_000_000;

/** `flows` UDP flows from one handset to distinct servers, one packet each way, 10 ms apart (the 60 s UDP idle timeout ends flows 6,000 flows later). */
export function manyFlowsCapture(flows: number, startFlow = 0): Buffer {
  const w = new PcapWriter({ linkType: 1 });
  for (let i = startFlow; i < startFlow + flows; i++) addFlow(w, i);
  return w.toBuffer();
}

function addFlow(w: PcapWriter, i: number): void {
  const server = `198.51.${(i >> 8) & 0xff}.${i & 0xff}`;
  const port = 1024 + (i % 60000);
  const ts = FLOW_T0 + i / 100;
  w.add(ethernetFrame(udpPacket({ src: '10.0.0.2', dst: server, sport: port, dport: 9999, payload: Buffer.alloc(40, 1) })), ts);
  w.add(ethernetFrame(udpPacket({ src: server, dst: '10.0.0.2', sport: 9999, dport: port, payload: Buffer.alloc(80, 2) })), ts + 0.0005);
}

/** Record bytes (no file header) of flows [from, from + n): appended to a pcap header they make an endless capture. */
export function flowRecords(from: number, n: number): Buffer {
  const withHeader = manyFlowsCapture(n, from);
  return withHeader.subarray(24);
}

export const PCAP_HEADER = new PcapWriter({ linkType: 1 }).toBuffer();
