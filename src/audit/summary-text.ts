// The one-screen summary `residency audit` prints: one line per claim (verdict, id, upload split, top reason),
// then the report files. Names from the claims file are printed with control characters escaped.

import { bytes } from '../report/number-format.js';
import { COVERAGE_SOURCES } from './coverage.js';
import type { FlowCoverage, ReportModel } from './report-model.js';

function safe(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function share(part: number, whole: number): string {
  return whole > 0 ? `${Math.round((part / whole) * 100)}%` : '-';
}

/** `coverage of 22.6 kB non-local upload: tls_sni 80.1%, dns 15.0%, unnamed 4.9%` (sources with bytes only). */
export function coverageLine(c: FlowCoverage): string {
  const parts = COVERAGE_SOURCES.filter((s) => c.sources[s].bytes_up > 0).map((s) => `${s} ${c.sources[s].share.toFixed(1)}%`);
  return `coverage of ${bytes(c.bytes_up)} non-local upload: ${parts.length > 0 ? parts.join(', ') : 'none'}`;
}

/** Summary lines (no trailing newline on the last). */
export function summaryText(model: ReportModel, files: string[] = []): string {
  const lines: string[] = [];
  const s = model.summary;
  lines.push(
    `residency audit: ${s.confirmed} confirmed, ${s.refuted} refuted, ${s.inconclusive} inconclusive, ${s.unobservable} unobservable` +
      ` (${model.inputs.length} capture${model.inputs.length === 1 ? '' : 's'})`,
  );
  for (const v of model.vendors) {
    lines.push('');
    lines.push(`${safe(v.name)}  (${v.totals.flows} flows, ${bytes(v.totals.bytes_up)} up, ${v.devices.length} device${v.devices.length === 1 ? '' : 's'})`);
    lines.push(`  ${coverageLine(v.coverage)}`);
    for (const c of v.claims) {
      const t = c.totals;
      const up = t.in_scope.bytes_up;
      lines.push(
        `  ${c.verdict.toUpperCase().padEnd(12)} ${safe(c.id)}: ${safe(c.text)}`,
      );
      lines.push(
        `               ${bytes(up)} in scope: ${share(t.consistent.bytes_up, up)} consistent, ${share(t.inconsistent.bytes_up, up)} inconsistent, ` +
          `${share(t.unknown.bytes_up, up)} unknown${t.hidden.flows > 0 ? `; ${bytes(t.hidden.bytes_up)} with hidden names` : ''}`,
      );
      const r = c.reasons[0];
      if (r) lines.push(`               ${r.code}: ${safe(r.text)}`);
    }
  }
  if (files.length > 0) {
    lines.push('');
    lines.push(`reports: ${files.map(safe).join(', ')}`);
  }
  return lines.join('\n');
}
