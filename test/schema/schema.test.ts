// One schema per record kind (schema/flow.schema.json, dns.schema.json, extract.schema.json, geo.schema.json,
// report.schema.json), and everything that spells the same fields held to it: the TypeScript interfaces of
// src/types.ts (and the report model of src/audit/report-model.ts), the CSV columns of
// `flows` and `dns`, the case store's flows and dns tables (the migrations applied to an in-memory database), the
// README's field tables (same fields, same text as each field's `description`), the geo fields flows share with
// `residency geo` (same types), and every line of every golden file, of the commands over the log fixtures and of
// `residency geo` validated against it by ajv's Draft 2020-12 validator in strict mode (record-schemas.ts); the
// expected report of the sample case (captures/expected/report.json) too, and the report.json of the audit tests
// (test/audit: the sample case, measurement files, truncated captures, vendor networks; test/logs: log inputs).
// A failure names the field and the place that disagrees.

import Database from 'better-sqlite3';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DNS_COLUMNS } from '../../src/cli/commands/dns.js';
import { FLOW_COLUMNS } from '../../src/cli/commands/flows.js';
import { bufferIo } from '../../src/cli/io.js';
import { runProgram } from '../../src/cli/program.js';
import { COMMANDS } from '../../src/cli/registry.js';
import { MIGRATIONS } from '../../src/store/schema.js';
import { REPO_ROOT } from '../conformance/shared-corpus.js';
import {
  RECORD_KINDS, SHAPE_KEYWORDS_NOT_COMPARED, loadSchema, newAjv, resolve, schemaFilesPresent, subschemas, typesOf, validate, validatorOf,
  type RecordKind, type SchemaNode,
} from './record-schemas.js';
import { compareFields, interfaceFields, interfaceFieldsOf, REPORT_MODEL_FILE, type Field } from './ts-shapes.js';

const README = join(REPO_ROOT, 'README.md');
const GOLDEN = join(REPO_ROOT, 'test/golden');
const LOG_FIXTURES = join(REPO_ROOT, 'test/logs/fixtures');

const flow = loadSchema('flow');
const dns = loadSchema('dns');
const extract = loadSchema('extract');
const geo = loadSchema('geo');
const report = loadSchema('report');
const EXPECTED_REPORT = join(REPO_ROOT, 'captures/expected/report.json');
const props = (s: SchemaNode): Record<string, SchemaNode> => s.properties ?? {};

/** Fields the commands add to the library's records (src/cli/commands/flows.ts, dns.ts): the input's file name. */
const CAPTURE_FIELD: Field = { shape: { kind: 'string', nullable: false, text: 'string' }, optional: false };

function withCapture(fields: Map<string, Field>): Map<string, Field> {
  return new Map([['capture', CAPTURE_FIELD], ...fields]);
}

// ------------------------------------------------------------------ README field tables

interface ReadmeRow {
  fields: string[];
  meaning: string;
  line: number;
}

/** The first `| field | meaning |` table after the README heading `heading`. */
function readmeTable(heading: string): ReadmeRow[] {
  const lines = readFileSync(README, 'utf8').split('\n');
  const start = lines.indexOf(heading);
  if (start < 0) throw new Error(`README.md has no heading "${heading}"`);
  const rows: ReadmeRow[] = [];
  let i = start + 1;
  while (i < lines.length && lines[i] !== '| field | meaning |') {
    if (lines[i].startsWith('## ')) throw new Error(`README.md: no "| field | meaning |" table under "${heading}"`);
    i++;
  }
  for (i += 2; i < lines.length && lines[i].startsWith('| '); i++) {
    const cells = /^\| (.*?) \| (.*) \|$/.exec(lines[i]);
    if (cells === null) throw new Error(`README.md:${i + 1}: not a two-column table row`);
    rows.push({ fields: [...cells[1].matchAll(/`([a-z0-9_]+)`/g)].map((m) => m[1]), meaning: cells[2], line: i + 1 });
  }
  return rows;
}

/** The README table under `heading` against the properties of `node` (the schema's top level by default). */
function readmeDisagreements(kind: RecordKind, schema: SchemaNode, heading: string, node: SchemaNode = schema): string[] {
  const out: string[] = [];
  const p = props(resolve(schema, node));
  const seen = new Set<string>();
  for (const row of readmeTable(heading)) {
    for (const f of row.fields) {
      seen.add(f);
      const d = p[f]?.description;
      if (d === undefined) out.push(`${f}: in the README table (README.md:${row.line}), not in schema/${kind}.schema.json`);
      else if (d !== row.meaning) {
        out.push(`${f}: README.md:${row.line} says "${row.meaning}" but schema/${kind}.schema.json's description says "${d}"`);
      }
    }
  }
  for (const f of Object.keys(p)) if (!seen.has(f)) out.push(`${f}: in schema/${kind}.schema.json, not in the README table under "${heading}"`);
  return out;
}

// ------------------------------------------------------------------ SQLite

interface Column {
  name: string;
  type: string;
  notnull: number;
}

function tableColumns(table: string): Column[] {
  const db = new Database(':memory:');
  try {
    for (const m of MIGRATIONS) db.exec(m);
    return db.prepare(`PRAGMA table_info(${table})`).all() as Column[];
  } finally {
    db.close();
  }
}

/** The SQLite type a field is stored as: JSON text for arrays and objects, 0/1 for booleans. */
function sqliteType(n: SchemaNode): string {
  const t = typesOf(n).filter((x) => x !== 'null');
  if (t.length !== 1) return '?';
  return { integer: 'INTEGER', number: 'REAL', boolean: 'INTEGER', string: 'TEXT', array: 'TEXT', object: 'TEXT', null: '?' }[t[0]];
}

/**
 * How a table stores a record: `capture` is the captures row (`capture_id`), columns the record does not have
 * (`extra`), fields stored under another name (`renamed`), optional fields stored NOT NULL with a sentinel for
 * "absent" (`sentinel`, schema.ts migration 2: first_frame 0, end_reason '', payload -1, dns frame 0), and fields
 * not stored, each with why (`notStored`).
 */
interface Storage {
  extra: string[];
  renamed: Record<string, string>;
  sentinel: string[];
  notStored?: Record<string, string>;
}

function sqliteDisagreements(kind: RecordKind, schema: SchemaNode, table: string, how: Storage): string[] {
  const out: string[] = [];
  const cols = new Map(tableColumns(table).map((c) => [c.name, c]));
  const required = new Set(schema.required ?? []);
  const expected = new Set(how.extra);
  for (const [field, node] of Object.entries(props(schema))) {
    if (field === 'capture' || field in (how.notStored ?? {})) continue;
    const col = how.renamed[field] ?? field;
    expected.add(col);
    const c = cols.get(col);
    const where = `schema/${kind}.schema.json vs table ${table} (src/store/schema.ts)`;
    if (c === undefined) {
      out.push(`${field}: no column ${col} in ${where}`);
      continue;
    }
    const n = resolve(schema, node);
    if (c.type !== sqliteType(n)) out.push(`${field}: column ${col} is ${c.type}, the schema's type stores as ${sqliteType(n)} (${where})`);
    const notNull = required.has(field) && !typesOf(n).includes('null');
    if ((c.notnull === 1) !== notNull && !(c.notnull === 1 && how.sentinel.includes(field))) {
      out.push(`${field}: column ${col} is ${c.notnull === 1 ? 'NOT NULL' : 'nullable'}, the schema makes it ${notNull ? 'required' : 'optional'} (${where})`);
    }
  }
  for (const name of cols.keys()) if (!expected.has(name)) out.push(`${name}: a column of ${table} that is no field of schema/${kind}.schema.json`);
  return out;
}

// ------------------------------------------------------------------ golden files

function goldenFiles(suffix: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(suffix)) out.push(p);
    }
  };
  walk(GOLDEN);
  return out.sort();
}

/** Validation errors of every NDJSON line of `text`, each naming the file and line. */
function ndjsonErrors(kind: RecordKind, text: string, name: string, check?: (r: Record<string, unknown>) => string[]): string[] {
  const out: string[] = [];
  text.split('\n').forEach((line, i) => {
    if (line === '') return;
    const r = JSON.parse(line) as Record<string, unknown>;
    for (const e of [...validate(kind, r), ...(check?.(r) ?? [])]) out.push(`${name}:${i + 1}: ${e}`);
  });
  return out;
}

async function run(args: string[]): Promise<string> {
  const io = bufferIo();
  const code = await runProgram(['node', 'residency', ...args], COMMANDS, io);
  if (code !== 0) throw new Error(`residency ${args.join(' ')} exited ${code}: ${io.err()}`);
  return io.out();
}

const geoFields = [...interfaceFields('FlowGeoFields').keys()];
const noGeo = (r: Record<string, unknown>): string[] => geoFields.filter((f) => f in r).map((f) => `geolocation field ${f} in --no-geo output`);

// ------------------------------------------------------------------ tests

describe('record schemas', () => {
  const all: [RecordKind, SchemaNode][] = [['flow', flow], ['dns', dns], ['extract', extract], ['geo', geo], ['report', report]];

  it('every file in schema/ is a record kind these tests validate (RECORD_KINDS, record-schemas.ts)', () => {
    expect(schemaFilesPresent()).toEqual(Object.keys(RECORD_KINDS).sort());
    expect(all.map(([k]) => k).sort()).toEqual(Object.keys(RECORD_KINDS).sort());
  });

  it.each(all)('schema/%s.schema.json is Draft 2020-12 (ajv, strict mode), closed and described', (kind, s) => {
    expect(s.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(() => validatorOf(kind)).not.toThrow();
    const problems: string[] = [];
    for (const [at, n] of subschemas(s)) {
      // A fixed shape is closed; a map (report.json's thresholds by name) has no properties and types its values.
      const map = n.properties === undefined && typeof n.additionalProperties === 'object';
      if (typesOf(n).includes('object') && n.additionalProperties !== false && !map) problems.push(`${at}: an object without additionalProperties: false`);
      for (const k of SHAPE_KEYWORDS_NOT_COMPARED) if (k in n) problems.push(`${at}: ${k} (the comparisons below do not read it)`);
    }
    for (const [at, n] of subschemas(s)) {
      for (const [k, v] of Object.entries(n.properties ?? {})) if (!v.description) problems.push(`${at}/properties/${k}: no description`);
    }
    expect(problems, `schema/${kind}.schema.json`).toEqual([]);
  });

  it('strict mode rejects a schema outside the standard (so the check above can fail)', () => {
    const typo: SchemaNode = structuredClone(flow);
    (typo.properties ?? {}).flow_id = { description: 'x', type: 'integer', minimun: 0 };
    expect(() => newAjv().compile(typo)).toThrow(/unknown keyword: "minimun"/);
    const misplaced: SchemaNode = structuredClone(flow);
    (misplaced.properties ?? {}).sni = { description: 'x', type: 'string', minimum: 0 };
    expect(() => newAjv().compile(misplaced)).toThrow(/missing type "number" for keyword "minimum"/);
    const stray: SchemaNode = structuredClone(flow);
    stray.required = [...(stray.required ?? []), 'no_such_field'];
    expect(() => newAjv().compile(stray)).toThrow(/required property "no_such_field" is not defined/);
  });

  it('the validator rejects what the schemas forbid (so the golden checks below can fail)', () => {
    const good = { capture: 'a.pcap', flow_id: 1, transport: 'tcp', ip_version: 4, client_ip: '10.0.0.1', client_port: 40000,
      server_ip: '1.2.3.4', server_port: 443, first_seen: 1.5, last_seen: 2.5, packets_up: 1, packets_down: 1, bytes_up: 40, bytes_down: 40,
      tls_versions: ['TLS1.3'], anomalies: ['tcp_capture_gap'], geo_sources: [{ source: 'dbip-city', country: 'SG' }] };
    expect(validate('flow', good)).toEqual([]);
    expect(validate('flow', { ...good, tls_version: ['TLS1.3'] })).toEqual(['/: field tls_version is not in the schema']);
    expect(validate('flow', { ...good, tls_versions: 'TLS1.3' })).toEqual(['/tls_versions: "TLS1.3" must be array']);
    expect(validate('flow', { ...good, transport: 'sctp' })).toEqual(['/transport: "sctp" is not one of ["tcp","udp"]']);
    expect(validate('flow', { ...good, flow_id: 1.5 })).toEqual(['/flow_id: 1.5 must be integer']);
    expect(validate('flow', { ...good, server_port: 70000 })).toEqual(['/server_port: 70000 must be <= 65535']);
    expect(validate('flow', { ...good, anomalies: ['Bad Name'] })).toEqual(['/anomalies/0: "Bad Name" must match pattern "^[a-z][a-z0-9]*(_[a-z0-9]+)+$"']);
    expect(validate('flow', { ...good, geo_sources: [{ country: 'SG', extra: 1 }] })).toEqual([
      '/geo_sources/0: required field source is missing',
      '/geo_sources/0: field extra is not in the schema',
    ]);
    const { bytes_up: _, ...missing } = good;
    expect(validate('flow', missing)).toEqual(['/: required field bytes_up is missing']);
    expect(validate('dns', { capture: 'a', ts: 1, transport: 'udp', protocol: 'dns', client_ip: 'a', client_port: 1, server_ip: 'b',
      server_port: 53, id: 1, qname: '', qtype: null, qtype_name: null, answers: [], query_seen: true, response_seen: false })).toEqual([]);
    expect(validate('extract', { capture: 'a', oracle: 'residency 0.1.0', dns: [], tls_sni: [], quic_sni: [], http_host: [], extra: [] }))
      .toEqual(['/: field extra is not in the schema']);
  });

  describe('the TypeScript types (src/types.ts)', () => {
    it('flow.schema.json: capture + FlowRecord + FlowGeoFields', () => {
      const fields = withCapture(new Map([...interfaceFields('FlowRecord'), ...interfaceFields('FlowGeoFields')]));
      expect(compareFields(flow, flow, fields, '', 'schema/flow.schema.json vs src/types.ts FlowRecord, FlowGeoFields')).toEqual([]);
    });
    it('dns.schema.json: capture + DnsRecord', () => {
      expect(compareFields(dns, dns, withCapture(interfaceFields('DnsRecord')), '', 'schema/dns.schema.json vs src/types.ts DnsRecord')).toEqual([]);
    });
    it('geo.schema.json: GeoResult', () => {
      expect(compareFields(geo, geo, interfaceFields('GeoResult'), '', 'schema/geo.schema.json vs src/types.ts GeoResult')).toEqual([]);
    });
    it('report.schema.json: ReportModel (src/audit/report-model.ts)', () => {
      const fields = interfaceFieldsOf(REPORT_MODEL_FILE, 'ReportModel');
      expect(compareFields(report, report, fields, '', 'schema/report.schema.json vs src/audit/report-model.ts ReportModel')).toEqual([]);
    });
    it('extract.schema.json: OracleDoc', () => {
      expect(compareFields(extract, extract, interfaceFields('OracleDoc'), '', 'schema/extract.schema.json vs src/types.ts OracleDoc')).toEqual([]);
    });
    it('a disagreement is named (field, schema file, interface)', () => {
      const wrong: SchemaNode = structuredClone(flow);
      const p = props(wrong);
      p.tls_versions = { description: 'x', type: 'string' };
      p.extra_field = { description: 'x', type: 'string' };
      delete p.alpn;
      wrong.required = [...(wrong.required ?? []), 'sni'];
      const fields = withCapture(new Map([...interfaceFields('FlowRecord'), ...interfaceFields('FlowGeoFields')]));
      const msgs = compareFields(wrong, wrong, fields, '', 'W');
      expect(msgs).toEqual(expect.arrayContaining([
        'extra_field: in the schema, not in the type (W)',
        'alpn: in the type, not in the schema (W)',
        'sni: required by the schema, optional in the type (W)',
        'tls_versions: the schema says string, the type says string[] (W)',
      ]));
      expect(msgs).toHaveLength(4);
    });
  });

  describe('the CSV columns', () => {
    it('flows --format csv: every field of flow.schema.json, in its order', () => {
      expect([...FLOW_COLUMNS], 'FLOW_COLUMNS (src/cli/commands/flows.ts) vs schema/flow.schema.json properties').toEqual(Object.keys(props(flow)));
    });
    it('dns --format csv: every field of dns.schema.json, in its order', () => {
      expect([...DNS_COLUMNS], 'DNS_COLUMNS (src/cli/commands/dns.ts) vs schema/dns.schema.json properties').toEqual(Object.keys(props(dns)));
    });
  });

  describe('the case store (src/store/schema.ts migrations)', () => {
    it('table flows: a column per flow field, with its type and nullability', () => {
      expect(sqliteDisagreements('flow', flow, 'flows', {
        // geo_id: the flow's row of flow_geo (its vantage-independent geolocation, stored once per distinct result).
        extra: ['capture_id', 'geo_id'], renamed: {}, sentinel: ['first_frame', 'end_reason', 'payload_up', 'payload_down'],
        notStored: {
          country_settled_by: 'depends on the vantage point of the audit, as `physical` does: the back half (issue 15.1) ' +
            'computes what depends on it when a claims file is audited and stores only what does not',
        },
      })).toEqual([]);
    });
    it('table dns: a column per DNS field, with its type and nullability', () => {
      expect(sqliteDisagreements('dns', dns, 'dns', { extra: ['capture_id', 'seq'], renamed: { id: 'dns_id' }, sentinel: ['frame'] })).toEqual([]);
    });
  });

  describe('the README field tables', () => {
    it.each([
      ['flow', flow, '## Flow records (`residency flows`)'],
      ['dns', dns, '## DNS records (`residency dns`)'],
      ['extract', extract, '## Extract documents (`residency extract`)'],
      ['geo', geo, '## Address records (`residency geo`)'],
      ['report', report, '### Fields of report.json'],
    ] as [RecordKind, SchemaNode, string][])('%s: the same fields, each with its description', (kind, s, heading) => {
      expect(readmeDisagreements(kind, s, heading)).toEqual([]);
    });
    it.each([
      ['vendors[]', '#### A vendor (`vendors[]`)', 'vendor'],
      ['vendors[].claims[]', '#### A claim (`vendors[].claims[]`)', 'claim'],
    ])('report %s: the same fields, each with its description', (_at, heading, def) => {
      expect(readmeDisagreements('report', report, heading, { $ref: `#/$defs/${def}` })).toEqual([]);
    });
  });

  describe('report.json validates', () => {
    it('the expected report of the sample case (captures/expected/report.json)', () => {
      expect(validate('report', JSON.parse(readFileSync(EXPECTED_REPORT, 'utf8')))).toEqual([]);
    });
    it('and the validator rejects what report.schema.json forbids (so that check can fail)', () => {
      const good = JSON.parse(readFileSync(EXPECTED_REPORT, 'utf8')) as { vendors: { claims: Record<string, unknown>[] }[] } & Record<string, unknown>;
      const claim = good.vendors[0].claims[0];
      expect(validate('report', { ...good, flows: [] })).toEqual(['/: field flows is not in the schema']);
      const wrong = structuredClone(good);
      wrong.vendors[0].claims[0] = { ...claim, verdict: 'probably' };
      expect(validate('report', wrong)).toEqual([
        '/vendors/0/claims/0/verdict: "probably" is not one of ["confirmed","refuted","inconclusive","unobservable"]',
      ]);
      const { generated_at: _, ...noTime } = good;
      expect(validate('report', noTime)).toEqual(['/: required field generated_at is missing']);
      expect(validate('report', { ...good, schema: 'residency.report/1' })).toEqual(['/schema: "residency.report/1" is not one of ["residency.report/2"]']);
    });
  });

  describe('golden files validate', () => {
    it('flows --no-geo (*.flows.ndjson): flow.schema.json, no geolocation field', () => {
      const files = goldenFiles('.flows.ndjson');
      expect(files.length).toBeGreaterThan(0);
      const errs = files.flatMap((f) => ndjsonErrors('flow', readFileSync(f, 'utf8'), relative(REPO_ROOT, f), noGeo));
      expect(errs).toEqual([]);
    });
    it('flows --vantage (*.flows-vantage.ndjson): flow.schema.json', () => {
      const files = goldenFiles('.flows-vantage.ndjson');
      expect(files.length).toBeGreaterThan(0);
      const errs = files.flatMap((f) => ndjsonErrors('flow', readFileSync(f, 'utf8'), relative(REPO_ROOT, f)));
      expect(errs).toEqual([]);
    });
    it('dns (*.dns.ndjson): dns.schema.json', () => {
      const files = goldenFiles('.dns.ndjson');
      expect(files.length).toBeGreaterThan(0);
      const errs = files.flatMap((f) => ndjsonErrors('dns', readFileSync(f, 'utf8'), relative(REPO_ROOT, f)));
      expect(errs).toEqual([]);
    });
    it('extract (*.extract.json): extract.schema.json', () => {
      const files = goldenFiles('.extract.json');
      expect(files.length).toBeGreaterThan(0);
      const errs = files.flatMap((f) => validate('extract', JSON.parse(readFileSync(f, 'utf8'))).map((e) => `${relative(REPO_ROOT, f)}: ${e}`));
      expect(errs).toEqual([]);
    });
  });

  it('geo.schema.json spells the fields it shares with flow.schema.json as flows do (type, enum, bounds; geo_source)', () => {
    /** A field's schema without its description, refs followed: what must agree. */
    const shape = (root: SchemaNode, n: SchemaNode): Record<string, unknown> => {
      const { description: _, properties, items, ...rest } = resolve(root, n);
      const out: Record<string, unknown> = { ...rest };
      if (properties !== undefined) out.properties = Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, shape(root, v)]));
      if (items !== undefined) out.items = shape(root, items);
      return out;
    };
    const shared = Object.keys(props(geo)).filter((k) => k in props(flow));
    expect(shared.length).toBeGreaterThan(10);
    const differ = shared.filter((k) => JSON.stringify(shape(geo, props(geo)[k])) !== JSON.stringify(shape(flow, props(flow)[k])));
    expect(differ, 'fields typed differently in schema/geo.schema.json and schema/flow.schema.json').toEqual([]);
    expect(shape(geo, props(geo).sources)).toEqual(shape(flow, props(flow).geo_sources));
  });

  it('residency geo (public, private, edge and IPv6 addresses; with --vantage, --rtt and --name): geo.schema.json', async () => {
    const ips = ['13.228.1.1', '1.1.1.1', '2a05:d014::1', '10.0.0.1', '100.64.0.1', 'fe80::1', '192.0.2.1'];
    const runs = [
      ['geo', ...ips],
      ['geo', ...ips, '--vantage', '28.6139,77.209', '--rtt', '3.5', '--name', 'ec2-13-228-1-1.ap-southeast-1.compute.amazonaws.com'],
    ];
    const errs: string[] = [];
    const records: Record<string, unknown>[] = [];
    for (const args of runs) {
      const rs = JSON.parse(await run(args)) as Record<string, unknown>[];
      expect(rs).toHaveLength(ips.length);
      rs.forEach((r, i) => errs.push(...validate('geo', r).map((e) => `residency ${args.join(' ')}: [${i}]${e}`)));
      records.push(...rs);
    }
    expect(errs).toEqual([]);
    // What the runs covered, so that the validation above is not of trivial records only.
    const seen = new Set(records.flatMap((r) => Object.keys(r)));
    expect([...seen].sort()).toEqual(expect.arrayContaining(['edge_reason', 'max_distance_km', 'physical', 'private_reason', 'region_source']));
  });

  it('flows and dns over Zeek logs and eve.json validate too (fields a log cannot give are absent)', async () => {
    const errs: string[] = [];
    for (const input of ['zeek-docs-tsv', 'zeek-docs-json', 'suricata-docs/eve.json']) {
      const path = join(LOG_FIXTURES, input);
      errs.push(...ndjsonErrors('flow', await run(['flows', '--no-geo', path]), `flows ${input}`, noGeo));
      errs.push(...ndjsonErrors('dns', await run(['dns', path]), `dns ${input}`));
    }
    expect(errs).toEqual([]);
  });
});
