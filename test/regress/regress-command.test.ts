// The `regress` command module: arguments and options reach runRegress, and its exit code is set, not exited.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { regressCommand } from '../../src/cli/commands/regress.js';
import { EXIT } from '../../src/errors.js';
import { bufferIo } from '../../src/cli/io.js';
import { runProgram } from '../../src/cli/program.js';
import { COMMANDS } from '../../src/cli/registry.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('residency regress (command)', () => {
  it('declares CLAIMS, --expected, --update and --save-report with the documented defaults', () => {
    const cmd = regressCommand(bufferIo());
    expect(cmd.name()).toBe('regress');
    const longs = cmd.options.map((o) => o.long);
    expect(longs).toEqual(['--expected', '--update', '--save-report', '--db']);
    expect(cmd.options[0].defaultValue).toBe('captures/expected');
    expect(cmd.registeredArguments[0].defaultValue).toBe('captures/claims.yaml');
  });

  it('exits 2 (bad input) for a missing claims file and says which, with its code', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'residency-regress-cmd-'));
    const io = bufferIo();
    try {
      const code = await runProgram(['node', 'residency', 'regress', path.join(dir, 'missing.yaml'), '--expected', dir], COMMANDS, io);
      expect(code).toBe(EXIT.BAD_INPUT);
      expect(io.err()).toBe(`residency: error: ${path.join(dir, 'missing.yaml')}: claims file not found [claims_unreadable]\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
