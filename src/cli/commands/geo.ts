// `residency geo IP...`: the full geolocation lookup of each address (every source, consensus, ASN, provider,
// region, edge, physical check) as a JSON array or a readable table. The action only wraps runGeo().

import { Command, Option } from 'commander';
import { isIP } from 'node:net';
import { EXIT, UsageError } from '../../errors.js';
import type { GeoResult } from '../../types.js';
import { parseVantage } from './vantage.js';
import type { CliIo } from '../io.js';
import { reportGeoWarnings } from './warnings.js';

export interface GeoCommandOptions {
  format?: 'json' | 'table';
  /** `LAT,LON` text as given on the command line. */
  vantage?: string;
  /** Handshake RTT in ms, for the physical check against the vantage point. */
  rtt?: string;
  geoDir?: string;
  /** Hostnames used for the region-from-name step. */
  name?: string[];
  useEmbedded?: boolean;
}

/** Looks every address up and renders the result; invalid addresses are a usage error (exit 2). */
export async function runGeo(ips: string[], opts: GeoCommandOptions = {}): Promise<{ text: string; exitCode: number; warnings: string[] }> {
  const bad = ips.filter((ip) => isIP(ip) === 0);
  if (bad.length > 0) throw new UsageError('bad_ip', `not an IP address: ${bad.join(', ')}`);
  const vantage = opts.vantage !== undefined ? parseVantage(opts.vantage) : undefined;
  let rttMs: number | undefined;
  if (opts.rtt !== undefined) {
    rttMs = Number(opts.rtt);
    if (!Number.isFinite(rttMs) || rttMs < 0) throw new UsageError('bad_rtt', `--rtt "${opts.rtt}": expected milliseconds >= 0`);
  }
  const { GeoLocator } = await import('../../geo/index.js');
  const { maxDistanceKm } = await import('../../physics.js');
  const geo = await GeoLocator.open({ geoDir: opts.geoDir, useEmbedded: opts.useEmbedded });
  let results = ips.map((ip) => geo.lookup(ip, opts.name));
  if (vantage !== undefined && rttMs !== undefined) {
    // The physical check as `flows --vantage` applies it (one rule: pipeline/flow-geo.ts), shown with its bound.
    const rule = (await import('../../pipeline/flow-geo.js')).vantageRule(vantage);
    const rtt = rttMs;
    results = results.map((r) => {
      if (r.scope === 'private') return r;
      const { geo_sources, ...checked } = rule({ ...r, geo_sources: r.sources }, rtt, false);
      return { ...r, ...checked, sources: geo_sources ?? r.sources, max_distance_km: Math.round(maxDistanceKm(rtt)) };
    });
  }
  const text = opts.format === 'table' ? renderTable(results) : JSON.stringify(results, null, 2) + '\n';
  return { text, exitCode: EXIT.OK, warnings: geo.warnings() };
}

const fmt = (v: number | undefined): string => (v === undefined ? '-' : v.toFixed(4));

/** One block per address: the summary line, then one line per source. */
export function renderTable(results: GeoResult[]): string {
  const lines: string[] = [];
  for (const r of results) {
    if (r.scope === 'private') {
      lines.push(`${r.ip}  private (${r.private_reason ?? 'non-public'}): not geolocated`, '');
      continue;
    }
    const head = [
      `country ${r.country ?? '-'} (${r.country_agreement}${r.country_settled_by === 'rtt' ? ', settled by the RTT' : ''})`,
      `city ${r.city ?? '-'}`,
      `lat/lon ${fmt(r.lat)},${fmt(r.lon)}`,
      `AS${r.asn ?? '-'} ${r.as_org ?? ''}`.trimEnd(),
      `provider ${r.provider ?? '-'}`,
      `region ${r.region ?? '-'}${r.region_source ? ` (${r.region_source})` : ''}`,
      r.edge ? `EDGE (${r.edge_reason ?? 'cdn/anycast'})` : 'not an edge',
    ];
    if (r.physical) head.push(`physical ${r.physical}${r.max_distance_km !== undefined ? ` (<= ${r.max_distance_km} km)` : ''}`);
    lines.push(`${r.ip}`);
    lines.push('  ' + head.join(' | '));
    const w = Math.max(6, ...r.sources.map((s) => s.source.length));
    for (const s of r.sources) {
      const loc = s.lat !== undefined ? `${fmt(s.lat)},${fmt(s.lon)}` : '-';
      lines.push(`  ${s.source.padEnd(w)}  ${(s.country ?? '-').padEnd(2)}  ${(s.city ?? '-').padEnd(20)}  ${loc}${s.physical ? `  ${s.physical}` : ''}`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

export function geoCommand(io: CliIo): Command {
  return new Command('geo')
    .description('geolocate addresses: every source, consensus country, ASN, provider, region, CDN edge, physical RTT check')
    .argument('<ips...>', 'IPv4 or IPv6 addresses')
    .addOption(new Option('--format <format>', 'output format').choices(['json', 'table']).default('json'))
    .option('--vantage <lat,lon>', 'lab location for the physical check (with --rtt)')
    .option('--rtt <ms>', 'measured handshake round trip to check the locations against')
    .option('--name <hostname...>', 'DNS names of the server (region from name, CDN edge)')
    .option('--geo-dir <dir>', 'also read MaxMind GeoIP2/GeoLite2 mmdb files and provider range files from this folder')
    .option('--no-embedded', 'do not use the bundled @ip-location-db data')
    .action(async (ips: string[], o: GeoCommandOptions & { embedded?: boolean }) => {
      const { text, exitCode, warnings } = await runGeo(ips, { ...o, useEmbedded: o.embedded !== false });
      io.stdout.write(text);
      reportGeoWarnings(warnings, io);
      if (exitCode !== EXIT.OK) io.exitCode = exitCode;
    });
}
