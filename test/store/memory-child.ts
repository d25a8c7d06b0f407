// Child process of the store memory test: opens a store with a memory budget of argv[3] MiB in folder argv[2],
// fills a TEMP table with argv[4] MB of rows, sorts it and counts its distinct values (a sorter, a temporary
// b-tree), and prints {"rssStartMb", "maxRssMb", "rows"} as JSON.
import path from 'node:path';
import { openStore } from '../../src/store/db.js';

const [dir, budget, mb] = process.argv.slice(2);
const store = openStore(path.join(dir, 'mem.db'), Number(budget));
const db = store.db;
const rssStartMb = process.memoryUsage().rss / 1048576;
db.exec('CREATE TEMP TABLE big (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
const ins = db.prepare('INSERT INTO big (v) VALUES (?)');
const pad = 'x'.repeat(240);
const rows = Math.floor((Number(mb) * 1e6) / 256);
db.exec('BEGIN');
// Values in an order unlike their sort order, so the sort has work to do.
for (let i = 0; i < rows; i++) ins.run(`${((i * 7919) % rows).toString().padStart(10, '0')}${pad}`);
db.exec('COMMIT');
let sorted = 0;
for (const _ of db.prepare('SELECT v FROM big ORDER BY v DESC').iterate()) sorted++;
const distinct = (db.prepare('SELECT COUNT(DISTINCT v) AS n FROM big').get() as { n: number }).n;
await store.close();
process.stdout.write(JSON.stringify({ rssStartMb, maxRssMb: process.resourceUsage().maxRSS / 1024, rows: Math.min(sorted, distinct) }) + '\n');
