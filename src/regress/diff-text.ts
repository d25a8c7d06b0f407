// Renders a ReportComparison as the readable diff `residency regress` prints: one block per section in
// SECTIONS order (verdicts first), the geolocation data changes, and the likely cause when the data moved.
// Long groups (one vendor's flows, one claim's evidence) are cut to a few lines plus a count.

import { REGRESS_BYTE_TOLERANCE_BYTES, REGRESS_BYTE_TOLERANCE_RATIO, REGRESS_MAX_LINES_PER_GROUP } from '../limits.js';
import { SECTIONS, type DiffSection, type Difference, type ReportComparison } from './compare.js';

const TITLES: Record<DiffSection, string> = {
  verdicts: 'Verdicts',
  destinations: 'Destinations',
  countries: 'Countries',
  providers: 'Providers, regions, edge, physical check',
  bytes: `Byte totals (beyond ±${REGRESS_BYTE_TOLERANCE_RATIO * 100} % or ±${REGRESS_BYTE_TOLERANCE_BYTES} bytes)`,
  inputs: 'Inputs (captures, claims file)',
  other: 'Other fields (flows, evidence, devices)',
};

/** Longest JSON value shown inline before it is shortened. */
const MAX_VALUE_CHARS = 160;

function short(v: string | undefined): string {
  if (v === undefined) return '';
  return v.length > MAX_VALUE_CHARS ? `${v.slice(0, MAX_VALUE_CHARS - 1)}…` : v;
}

function line(d: Difference): string {
  if (d.kind === 'added') return `  + ${d.where}: ${short(d.actual)} (new)`;
  if (d.kind === 'removed') return `  - ${d.where}: ${short(d.expected)} (gone)`;
  return `  ~ ${d.where}: ${short(d.expected)} -> ${short(d.actual)}`;
}

/** Group key for cutting long lists: the location up to the first list of flows or evidence. */
function groupOf(where: string): string {
  const m = /^(.*?\.(?:flows|evidence|devices))\[/.exec(where);
  return m ? (m[1] as string) : where;
}

/** The diff text; `expectedLabel` names the expected report (a path) in the first line. */
export function formatDiff(cmp: ReportComparison, expectedLabel: string): string {
  const out: string[] = [];
  const n = cmp.differences.length;
  if (n === 0) {
    out.push(`regress: no drift against ${expectedLabel}`);
  } else {
    out.push(`regress: ${n} difference${n === 1 ? '' : 's'} against ${expectedLabel} (expected -> actual)`);
  }
  for (const section of SECTIONS) {
    const ds = cmp.differences.filter((d) => d.section === section);
    if (ds.length === 0) continue;
    out.push('', `== ${TITLES[section]}: ${ds.length}`);
    const shown = new Map<string, number>();
    const hidden = new Map<string, number>();
    for (const d of ds) {
      const g = groupOf(d.where);
      const k = shown.get(g) ?? 0;
      if (section === 'other' && k >= REGRESS_MAX_LINES_PER_GROUP) {
        hidden.set(g, (hidden.get(g) ?? 0) + 1);
        continue;
      }
      shown.set(g, k + 1);
      out.push(line(d));
    }
    for (const [g, c] of hidden) out.push(`  … ${c} more under ${g}`);
  }
  if (cmp.geoChanges.length > 0) {
    out.push('', '== Geolocation data differ from the expected report\'s');
    for (const c of cmp.geoChanges) {
      out.push(`  ${c.source}: ${c.expected ?? '(absent)'} -> ${c.actual ?? '(absent)'}`);
    }
  }
  if (cmp.likelyDataUpdate) {
    out.push(
      '',
      'Likely cause: the geolocation data changed (see above) and verdicts, destinations, countries or providers moved.',
      'Check the moved addresses against the new data; if the new answers are right, accept them with --update.',
    );
  }
  return out.join('\n') + '\n';
}
