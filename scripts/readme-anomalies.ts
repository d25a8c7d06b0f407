// Writes the README's "Anomalies, warnings and counters" section from the catalogue (src/anomalies.ts), between its
// two marker comments: `npm run readme:anomalies`. test/schema/anomalies.test.ts fails when the README differs.

import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ANOMALIES, COUNTERS, STAGES, type AnomalyEntry, type CounterEntry } from '../src/anomalies.js';

export const BEGIN = '<!-- BEGIN anomalies: generated from src/anomalies.ts by `npm run readme:anomalies`; edit that file, not this section -->';
export const END = '<!-- END anomalies -->';

function byStage<T extends { stage: string }>(entries: [string, T][]): [string, T][] {
  return STAGES.flatMap((s) => entries.filter(([, e]) => e.stage === s));
}

/** The section's text between the markers (markers excluded). */
export function renderAnomalySection(): string {
  const anomalies = byStage(Object.entries(ANOMALIES) as [string, AnomalyEntry][]);
  const counters = byStage(Object.entries(COUNTERS) as [string, CounterEntry][]);
  return [
    'Every problem met in an input is named, never thrown. The `where` column says where it shows:',
    '',
    "- **flow**: in the flow record's `anomalies` (once per flow), and the capture summary counts the flows that have it;",
    "- **summary**: counted in the capture summary's `anomalies` (the summary is kept with the capture in the case store);",
    "- **warning**: a warning on stderr naming the file and byte offset (`residency: warning: FILE: at byte N: what [code]`),",
    "  also kept in the summary's `warnings` and a report's `problems`;",
    "- **summary+warning**: counted in the summary's `anomalies`, and the first ones also warned about, naming the file and line.",
    '',
    '| anomaly | stage | where | meaning |',
    '|---|---|---|---|',
    ...anomalies.map(([name, e]) => `| \`${name}\` | ${e.stage} | ${e.where} | ${e.meaning} |`),
    '',
    "The capture summary's `counters` count what was read, and what was set aside or handled on the way:",
    '',
    '| counter | stage | meaning |',
    '|---|---|---|',
    ...counters.map(([name, e]) => `| \`${name}\` | ${e.stage} | ${e.meaning} |`),
  ].join('\n');
}

/** `readme` with the section between the markers replaced; throws when the markers are missing. */
export function withAnomalySection(readme: string): string {
  const a = readme.indexOf(BEGIN);
  const b = readme.indexOf(END);
  if (a < 0 || b < a) throw new Error(`README.md: the markers ${BEGIN} and ${END} are missing`);
  return `${readme.slice(0, a + BEGIN.length)}\n${renderAnomalySection()}\n${readme.slice(b)}`;
}

const isMain = process.argv[1] !== undefined && path.resolve(process.argv[1]).endsWith(path.join('scripts', 'readme-anomalies.ts'));
if (isMain) {
  const file = path.resolve('README.md'); // npm runs scripts from the package root
  const before = readFileSync(file, 'utf8');
  const after = withAnomalySection(before);
  if (after !== before) writeFileSync(file, after);
  process.stdout.write(after !== before ? 'README.md: anomaly section rewritten\n' : 'README.md: anomaly section up to date\n');
}
