import { Reader } from 'maxmind';
import fs from 'node:fs';
import { writeMmdb } from '/work/wt-geo/test/geo/mmdb-writer.ts';
const buf = writeMmdb([{ addr: [81, 2, 69, 0], bits: 24, data: { country: { iso_code: 'DE' } } }], { ipVersion: 4, recordSize: 24, databaseType: 'GeoIP2-City' });
const damaged = Buffer.from(buf);
const marker = damaged.lastIndexOf(Buffer.from('MaxMind.com', 'latin1')) - 3;
const treeEnd = damaged.indexOf(Buffer.alloc(16)) + 16;
console.log(buf.length, treeEnd, marker);
damaged.fill(0xff, treeEnd, marker);
const r = new Reader(damaged);
try { console.log(r.get('81.2.69.142')); } catch (e) { console.log('throws', (e as Error).message); }
console.log(new Reader(buf).get('81.2.69.142'));
