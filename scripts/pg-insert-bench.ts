// The PostgreSQL store's two bulk paths side by side on the same rows (docs/scale-out.md, "The database's insert
// rate"): COPY FROM STDIN (text format) and INSERT ... SELECT FROM unnest(), flow rows of the real `flows` table
// (41 columns, primary key + 3 indexes) and name rows, in batches of STORE_INSERT_BATCH_ROWS as ingest sends them,
// one transaction per capture, methods alternating round by round.
//
//   npx tsx scripts/pg-insert-bench.ts postgres://user@host:port/db [flows per round] [rounds]

import { FLOW_COLUMNS, NAME_COLUMNS, flowRow } from '../src/store/ingest.js';
import { PostgresStore } from '../src/store/postgres.js';
import type { SqlValue } from '../src/store/store.js';
import { STORE_INSERT_BATCH_ROWS } from '../src/limits.js';
import type { FlowRecord } from '../src/types.js';

type Bulk = {
  copyRows(t: string, c: readonly string[], r: readonly (readonly SqlValue[])[]): Promise<void>;
  insertUnnest(t: string, c: readonly string[], r: readonly (readonly SqlValue[])[], ignore: boolean): Promise<void>;
};

const url = process.argv[2];
const perRound = Number(process.argv[3] ?? 20_000);
const rounds = Number(process.argv[4] ?? 4);
if (!url) {
  console.error('usage: tsx scripts/pg-insert-bench.ts URL [flows per round] [rounds]');
  process.exit(2);
}

function flow(i: number): FlowRecord {
  const host = `s${i % 5000}.cdn-${i % 97}.vendor-${i % 13}.example.com`;
  return {
    flow_id: i, transport: i % 3 === 0 ? 'udp' : 'tcp', ip_version: 4, client_ip: '10.0.0.2', client_port: 40000 + (i % 20000),
    server_ip: `13.${i % 250}.${(i >> 8) & 255}.${i & 255}`, server_port: 443, first_seen: 1700000000.123456 + i / 1000, last_seen: 1700000001.5 + i / 1000,
    first_frame: i * 3 + 1, packets_up: 3 + (i % 50), packets_down: 2 + (i % 70), bytes_up: 1000 + i, bytes_down: 500 + 7 * i, payload_up: 900 + i,
    payload_down: 400, tcp_flags: 'SAF', end_reason: 'fin', sni: host, hostname: host, name_source: 'tls_sni', dns_qname: host,
    cname_chain: [`edge-${i % 31}.cdn.example.net`], rtt_ms: 40.25, rtt_source: 'tcp_handshake', alpn: ['h2', 'http/1.1'], tls_versions: ['1.3'],
    community_id: `1:${Buffer.from(String(i)).toString('base64')}AAAAAAAAAAAAAAAAAAA=`, uid: `C${i.toString(36)}xyzxyz`, anomalies: {},
  } as FlowRecord;
}

const store = await PostgresStore.open(url);
let sha = 0;
async function round(method: 'copy' | 'unnest'): Promise<{ flows: number; names: number }> {
  // A capture row per round (flows reference it), made outside the timed part.
  const id = (await store.get<{ id: number }>(
    `INSERT INTO captures (sha256, path, size_bytes, format, gzip, packets, link_types, flow_count, dns_messages, truncated, tool_version, options, summary, ingested_at)
     VALUES (?, 'bench', 0, 'pcap', 0, 0, '[]', 0, 0, 0, 'bench', '{}', '{}', 't') RETURNING id`,
    [`bench-${process.pid}-${Date.now()}-${sha++}`],
  ))?.id as number;
  const batches: { flows: SqlValue[][]; names: SqlValue[][] }[] = [];
  for (let s = 0; s < perRound; s += STORE_INSERT_BATCH_ROWS) {
    const fs: SqlValue[][] = [];
    const ns: SqlValue[][] = [];
    for (let i = s; i < Math.min(perRound, s + STORE_INSERT_BATCH_ROWS); i++) {
      const f = flow(i);
      fs.push(flowRow(id, f, null));
      ns.push([id, i, f.sni as string, 'sni'], [id, i, f.dns_qname as string, 'dns_qname'], [id, i, (f.cname_chain as string[])[0], 'cname']);
    }
    batches.push({ flows: fs, names: ns });
  }
  let tFlows = 0;
  let tNames = 0;
  await store.transaction(async (tx) => {
    const b = tx as unknown as Bulk;
    for (const { flows, names } of batches) {
      const t0 = process.hrtime.bigint();
      if (method === 'copy') await b.copyRows('flows', FLOW_COLUMNS, flows);
      else await b.insertUnnest('flows', FLOW_COLUMNS, flows, false);
      const t1 = process.hrtime.bigint();
      if (method === 'copy') await b.copyRows('names', NAME_COLUMNS, names);
      else await b.insertUnnest('names', NAME_COLUMNS, names, true);
      tFlows += Number(t1 - t0);
      tNames += Number(process.hrtime.bigint() - t1);
    }
  });
  const nNames = batches.reduce((a, b) => a + b.names.length, 0);
  return { flows: Math.round(perRound / (tFlows / 1e9)), names: Math.round(nNames / (tNames / 1e9)) };
}

const out: Record<string, { flows: number[]; names: number[] }> = { copy: { flows: [], names: [] }, unnest: { flows: [], names: [] } };
await round('copy'); // warm-up: connections, catalog, plans
await round('unnest');
for (let r = 0; r < rounds; r++) {
  for (const m of r % 2 === 0 ? (['copy', 'unnest'] as const) : (['unnest', 'copy'] as const)) {
    const x = await round(m);
    out[m].flows.push(x.flows);
    out[m].names.push(x.names);
    console.log(`round ${r + 1} ${m.padEnd(6)} flows ${x.flows} rows/s, names ${x.names} rows/s`);
  }
}
const med = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
for (const m of ['copy', 'unnest']) console.log(`median ${m.padEnd(6)} flows ${med(out[m].flows)} rows/s, names ${med(out[m].names)} rows/s`);
await store.close();
