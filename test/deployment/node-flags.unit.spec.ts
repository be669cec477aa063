// Every api node runs with the same V8 flags, however it is started: the image, `npm start`, `npm run cluster`,
// and the nodes the tests and benches start (the storm figures in BENCHMARKS.md are measured with them).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TYPESCRIPT_ENTRY } from '../../infrastructure/cli/cluster-node.js';
import { NODE_FLAGS } from '../../infrastructure/cli/node-flags.js';
import { compiledNodeEntry } from '../support/compiled-node.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const readText = (path: string) => readFileSync(join(root, path), 'utf8');

describe('the api node’s V8 flags', () => {
  it('are on the image’s command and on `npm start`', () => {
    const cmd = readText('Dockerfile')
      .split('\n')
      .filter((line) => line.startsWith('CMD '))
      .at(-1)!;
    const command = JSON.parse(cmd.slice(4)) as string[];
    expect(command.slice(1, 1 + NODE_FLAGS.length)).toEqual([...NODE_FLAGS]);
    const start = (JSON.parse(readText('package.json')) as { scripts: Record<string, string> }).scripts.start.split(' ');
    expect(start.slice(1, 1 + NODE_FLAGS.length)).toEqual([...NODE_FLAGS]);
  });

  it('are passed by `npm run cluster` and by the nodes tests and benches start', async () => {
    expect(TYPESCRIPT_ENTRY.execArgv.slice(0, NODE_FLAGS.length)).toEqual([...NODE_FLAGS]);
    expect((await compiledNodeEntry()).execArgv.slice(0, NODE_FLAGS.length)).toEqual([...NODE_FLAGS]);
    // Each launcher runs its entry with the entry's flags, none of its own.
    expect(readText('infrastructure/cli/cluster-node.ts')).toMatch(/spawn\(process\.execPath, \[\.\.\.entry\.execArgv, entry\.script\]/);
    expect(readText('test/support/node-process.ts')).toMatch(/execArgv: \[\.\.\.entry\.execArgv, /);
  });

  it('still give V8 the young generation they ask for (2 × 64 MiB; Node 20 alone: 2 × 16)', () => {
    const newSpaceMiB = (flags: readonly string[]) => {
      const script =
        "const v8 = require('node:v8'); const kept = []; for (let i = 0; i < 4e6; i++) kept.push({ i });" +
        "console.log(v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size / 1048576)";
      const run = spawnSync(process.execPath, [...flags, '-e', script], { encoding: 'utf8' });
      expect(run.status, run.stderr).toBe(0);
      return Number(run.stdout.trim());
    };
    expect(newSpaceMiB(NODE_FLAGS)).toBe(128);
  });

  it('turn off V8’s memory reducer (its compacting collections paused a storm’s survivor for 113–148 ms)', () => {
    const help = spawnSync(process.execPath, [...NODE_FLAGS, '--v8-options'], { encoding: 'utf8' });
    expect(help.status, help.stderr).toBe(0);
    // `--v8-options` prints each flag's value as V8 runs with it.
    const lines = help.stdout.split('\n');
    const at = lines.findIndex((line) => /^\s+--memory-reducer \(/.test(line));
    expect(at, 'V8 knows --memory-reducer').toBeGreaterThan(-1);
    expect(lines[at + 1]).toMatch(/default: --no-memory-reducer\b/);
  });
});
