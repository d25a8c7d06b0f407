// Owns RIPE Atlas ping input: measurement results (the documented result format, firmware 1 to 5000+: `prb_id`,
// `dst_addr` (`addr` before 4460), `min`, `result[].rtt`, `{"x": "*"}` timeouts, `{"error"|"err": ...}` errors,
// `dup` replies, `timestamp`, `msm_id`, `type: "ping"`) as a JSON list or newline-delimited JSON (the API's
// `?format=txt`), and probe metadata (the probes API objects: `id`, `geometry.coordinates` = [lon, lat],
// `country_code`, `asn_v4`, ...) as a JSON list or `{ "results": [...] }`. Results are joined to probes by id; a
// probe without metadata or position cannot place a disc and its results are skipped (and said so). Pure; never
// throws. https://atlas.ripe.net/docs/apis/result-format

import { arrayElementSpans, findListValue, parseSpan, skipWs, type JsonSpan } from './json-spans.js';
import { canonicalIp, MeasurementCollector, rttValue, textLines, type ParseResult, type VantagePoint } from './measurement.js';

/** A probe's metadata: what a disc needs, plus what sentences name. */
export interface AtlasProbe {
  id: number;
  lat: number;
  lon: number;
  /** ISO 3166-1 alpha-2 (upper case) when the probe has one. */
  country?: string;
  asn_v4?: number;
  asn_v6?: number;
}

export interface ProbeTable {
  probes: Map<number, AtlasProbe>;
  result: ParseResult;
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The vantage point of an Atlas probe. */
export function probeVantage(p: AtlasProbe): VantagePoint {
  const v: VantagePoint = { id: `atlas:${p.id}`, name: `RIPE Atlas probe ${p.id}`, lat: p.lat, lon: p.lon };
  if (p.country !== undefined) v.country = p.country;
  return v;
}

function probeId(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{1,10}$/.test(v.trim()) ? Number(v) : NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/** The elements of a JSON list file, or of the `results` list of an object (the probes API's page form). */
function listSpans(text: string, c: MeasurementCollector, objectKey: string | undefined): JsonSpan[] | undefined {
  const first = skipWs(text, text.charCodeAt(0) === 0xfeff ? 1 : 0, 1);
  const ch = text[first.at];
  let open = ch === '[' ? first : undefined;
  if (ch === '{' && objectKey !== undefined) open = findListValue(text, first.at, first.line, objectKey);
  if (open === undefined) return undefined;
  const scan = arrayElementSpans(text, open.at, open.line, ch === '[');
  if (scan.error) c.issue('vantage_json_damaged', 'error', scan.error.message, { line: scan.error.line });
  return scan.spans;
}

/** Reads one probe object; reports why when it cannot place a disc. */
function readProbe(v: unknown, c: MeasurementCollector, at: { line?: number; index?: number }): AtlasProbe | undefined {
  if (!isObject(v)) {
    c.issue('atlas_probe_malformed', 'error', 'a probe must be a JSON object', at);
    return undefined;
  }
  const id = probeId(v.id);
  if (id === undefined) {
    c.issue('atlas_probe_malformed', 'error', `probe id ${JSON.stringify(v.id) ?? 'missing'} is not a positive integer`, at);
    return undefined;
  }
  const geom = v.geometry;
  const coords = isObject(geom) ? geom.coordinates : undefined;
  const lon = Array.isArray(coords) ? coords[0] : undefined;
  const lat = Array.isArray(coords) ? coords[1] : undefined;
  if (typeof lat !== 'number' || typeof lon !== 'number' || !(Math.abs(lat) <= 90) || !(Math.abs(lon) <= 180)) {
    c.issue('atlas_probe_no_position', 'skipped', `probe ${id} has no usable geometry.coordinates [lon, lat]`, at);
    return undefined;
  }
  const p: AtlasProbe = { id, lat, lon };
  if (typeof v.country_code === 'string' && /^[A-Za-z]{2}$/.test(v.country_code)) p.country = v.country_code.toUpperCase();
  for (const k of ['asn_v4', 'asn_v6'] as const) {
    const n = v[k];
    if (typeof n === 'number' && Number.isSafeInteger(n) && n > 0) p[k] = n;
  }
  return p;
}

/** Parses probe metadata (a JSON list of probe objects, or `{ "results": [...] }`). */
export function parseAtlasProbes(text: string, file: string): ProbeTable {
  const c = new MeasurementCollector(file);
  const probes = new Map<number, AtlasProbe>();
  const spans = listSpans(text, c, 'results');
  if (spans === undefined) {
    c.issue('atlas_probes_not_a_list', 'error', 'not RIPE Atlas probe metadata: expected a JSON list of probes or an object with a "results" list', { line: 1 });
    return { probes, result: c.result() };
  }
  for (const s of spans) {
    const at = { line: s.line, index: s.index };
    const parsed = parseSpan(text, s);
    if ('error' in parsed) {
      c.issue('vantage_json_damaged', 'error', parsed.error, at);
      continue;
    }
    const p = readProbe(parsed.value, c, at);
    if (p === undefined) continue;
    if (probes.has(p.id)) c.issue('atlas_probe_duplicate', 'skipped', `probe ${p.id} is listed again; the first entry is kept`, at);
    else probes.set(p.id, p);
  }
  return { probes, result: c.result() };
}

/** Reads one ping result into the collector (or says why not). */
function readResult(v: unknown, probes: Map<number, AtlasProbe>, c: MeasurementCollector, at: { line?: number; index?: number }): void {
  if (!isObject(v)) {
    c.issue('atlas_result_malformed', 'error', 'a result must be a JSON object', at);
    return;
  }
  if (v.type !== undefined && v.type !== 'ping') {
    c.issue('atlas_result_not_ping', 'skipped', `a ${JSON.stringify(v.type)} result, not ping`, at);
    return;
  }
  const prb = probeId(v.prb_id);
  if (prb === undefined) {
    c.issue('atlas_result_malformed', 'error', `prb_id ${JSON.stringify(v.prb_id) ?? 'missing'} is not a positive integer`, at);
    return;
  }
  const rawDst = v.dst_addr ?? v.addr;
  if (rawDst === undefined && typeof (v.dst_name ?? v.name) === 'string') {
    // The documented case of a probe that could not resolve the target's name: no address, nothing measured.
    c.issue('atlas_name_unresolved', 'skipped', `probe ${prb} could not resolve ${JSON.stringify(v.dst_name ?? v.name)}`, at);
    return;
  }
  const dst = canonicalIp(rawDst);
  if (dst === undefined) {
    c.issue('atlas_result_malformed', 'error', `dst_addr ${JSON.stringify(rawDst) ?? 'missing'} is not an IP address`, at);
    return;
  }
  let min = Infinity;
  let replies = 0;
  if (Array.isArray(v.result)) {
    for (const r of v.result) {
      if (!isObject(r) || r.dup !== undefined) continue;
      const rtt = rttValue(r.rtt);
      if (rtt === undefined) continue;
      replies++;
      if (rtt < min) min = rtt;
    }
  }
  if (replies === 0) {
    // Firmware 1 has no per-packet list: its `min` is the only RTT (-1 when nothing came back).
    const m = rttValue(v.min);
    if (m !== undefined && !Array.isArray(v.result)) {
      min = m;
      const rcvd = rttValue(v.rcvd);
      replies = rcvd !== undefined && Number.isInteger(rcvd) && rcvd > 0 ? rcvd : 1;
    }
  }
  if (replies === 0) {
    c.issue('atlas_no_reply', 'skipped', `probe ${prb} got no reply from ${dst}`, at);
    return;
  }
  const probe = probes.get(prb);
  if (probe === undefined) {
    c.issue('atlas_probe_unknown', 'skipped', `probe ${prb} is not in the probe metadata (or has no position there)`, at);
    return;
  }
  const ts = rttValue(v.timestamp);
  c.add({
    vantage: probeVantage(probe),
    dst_addr: dst,
    min_rtt_ms: min,
    samples: replies,
    ...(ts !== undefined ? { timestamp: ts } : {}),
    source: { file: c.file, ...at },
  });
}

/**
 * Parses RIPE Atlas ping results (a JSON list, or one JSON object per line) joined to `probes`. Returns the
 * minimum RTT per (probe, destination) and every problem with its line.
 */
export function parseAtlasResults(text: string, file: string, probes: Map<number, AtlasProbe>): ParseResult {
  const c = new MeasurementCollector(file);
  const spans = listSpans(text, c, undefined);
  if (spans !== undefined) {
    for (const s of spans) {
      const at = { line: s.line, index: s.index };
      const parsed = parseSpan(text, s);
      if ('error' in parsed) c.issue('vantage_json_damaged', 'error', parsed.error, at);
      else readResult(parsed.value, probes, c, at);
    }
    return c.result();
  }
  // Newline-delimited JSON: one result per line.
  const lines = textLines(text);
  let seen = 0;
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    seen++;
    const at = { line: i + 1 };
    let value: unknown;
    try {
      value = JSON.parse(line) as unknown;
    } catch (e) {
      c.issue('vantage_json_damaged', 'error', `not JSON: ${(e as Error).message}`, at);
      return;
    }
    readResult(value, probes, c, at);
  });
  if (seen === 0) c.issue('atlas_results_empty', 'skipped', 'no results in the file', { line: 1 });
  return c.result();
}
