// The options a command was given on its command line, as argv again: what each capture's own `--jobs 1` run of
// the command in a batch is given (src/jobs/batch.ts). Only options the user gave (source `cli`) are passed on;
// defaults are the run's own.

import type { Command } from 'commander';

/** `cmd`'s options given on the command line, as argv, leaving out those named in `skip` (attribute names). */
export function givenOptionArgv(cmd: Command, skip: readonly string[] = []): string[] {
  const out: string[] = [];
  const values = cmd.opts();
  for (const o of cmd.options) {
    const key = o.attributeName();
    if (skip.includes(key) || cmd.getOptionValueSource(key) !== 'cli') continue;
    const flag = o.long ?? o.short;
    if (flag === undefined) continue;
    const v: unknown = values[key];
    if (o.negate) {
      // `--no-geo` sets geo to false; its positive twin, if any, sets it to true.
      if (v === false) out.push(flag);
      continue;
    }
    if (typeof v === 'boolean') {
      if (v) out.push(flag);
      continue;
    }
    const list = Array.isArray(v) ? v : [v];
    for (const x of list) out.push(`${flag}=${String(x)}`);
  }
  return out;
}
