import { describe, expect, it } from 'vitest';
import { analyzeCapture } from '../../src/pipeline.js';
import { PCAPDROID_PEN } from '../../src/capture/pcapdroid.js';
import { PcapngWriter } from '../../src/synth/pcap-writer.js';
import { udpPacket } from '../../src/synth/packets.js';
import type { FlowRecord } from '../../src/types.js';
import { chunks } from './handset-capture.js';

function uidMap(uid: number, pkg: string, app: string): Buffer {
  const d = Buffer.alloc(10);
  d.writeUInt16LE(1, 0);
  d[2] = 1;
  d.writeInt32LE(uid, 4);
  d[8] = Buffer.byteLength(pkg);
  d[9] = Buffer.byteLength(app);
  return Buffer.concat([d, Buffer.from(pkg), Buffer.from(app)]);
}

describe('PCAPdroid per-app metadata', () => {
  it('names each flow with the package of the uid its packets carry', async () => {
    const w = new PcapngWriter();
    const ifid = w.addInterface(101, { name: 'tun0' });
    w.addCustom(PCAPDROID_PEN, uidMap(10077, 'com.alder.sync', 'Alder Sync'));
    w.addCustom(PCAPDROID_PEN, uidMap(10088, 'org.birch.camera', 'Camera'));
    const pkt = (sport: number, dst: string) => udpPacket({ src: '10.215.173.1', dst, sport, dport: 9000, payload: Buffer.alloc(20, 1) });
    w.add(ifid, pkt(40001, '203.0.113.1'), 1_700_000_000, 0, { comment: 'u-10077' });
    w.add(ifid, pkt(40002, '203.0.113.2'), 1_700_000_001, 0, { comment: 'u-10088' });
    w.add(ifid, pkt(40003, '203.0.113.3'), 1_700_000_002, 0);
    const flows: FlowRecord[] = [];
    await analyzeCapture('droid.pcapng', { flow: (f) => flows.push(f) }, { source: chunks(w.toBuffer(), []) });
    flows.sort((a, b) => a.client_port - b.client_port);
    expect(flows.map((f) => [f.app_uid, f.app])).toEqual([
      [10077, 'com.alder.sync'],
      [10088, 'org.birch.camera'],
      [undefined, undefined],
    ]);
  });
});
