import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedEvents } from '../../infrastructure/cli/commands/seed-log.js';
import { pendingRebuilds } from '../../infrastructure/projections/rebuild-shadow.js';
import { derbel, toolingDatabase, type ToolingDatabase } from './tooling-support.js';

const BIN = fileURLToPath(new URL('../../bin/derbel.mjs', import.meta.url));

/** `npx derbel …` as a user runs it: a separate process, through bin/derbel.mjs. */
function spawnDerbel(databaseUrl: string, argv: string[]) {
  const child = spawn(process.execPath, [BIN, ...argv], {
    env: { ...process.env, DATABASE_URL: databaseUrl, NODE_ENV: 'test' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  );
  return { child, done };
}

describe('Ctrl-C during `derbel projections rebuild`', () => {
  let t: ToolingDatabase;

  beforeAll(async () => {
    t = await toolingDatabase();
    const client = await t.pool.connect();
    await seedEvents(client, { events: 30_000 }).finally(() => client.release());
  });
  afterAll(() => t?.close());

  it('stops after the batch in progress, keeps the live tables, and the next run resumes', async () => {
    const { rows: before } = await t.pool.query('SELECT count(*)::int AS n FROM messages');
    const run = spawnDerbel(t.db.url, ['projections', 'rebuild', 'messages', '--batch-size', '100']);
    let finished = false;
    void run.done.then(() => (finished = true));
    // Interrupt once some batches are committed (their progress saved), well before the end.
    while (!finished) {
      const [progress] = await pendingRebuilds(t.pool).catch(() => []);
      if (progress && progress.position > 0) {
        run.child.kill('SIGINT');
        break;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    const first = await run.done;
    expect(first.stderr).toMatch(/Interrupted at position \d+; the live tables are untouched. Run the same command again to resume./);
    expect(first.code).toBe(130);
    const [saved] = await pendingRebuilds(t.pool);
    expect(saved.name).toBe('messages');
    expect(saved.position).toBeGreaterThan(0);
    expect(saved.position).toBeLessThan(30_000);
    const { rows: during } = await t.pool.query('SELECT count(*)::int AS n FROM messages');
    expect(during[0].n).toBe(before[0].n);

    const second = await derbel(t.db.url, ['projections', 'rebuild', 'messages']);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(
      `rebuilt messages (resumed from position ${saved.position}), swapped in at position ${await t.store.headPosition()}`,
    );
    expect(second.stderr).toContain(`(resuming from position ${saved.position})`);
    const { rows: after } = await t.pool.query(`SELECT count(*)::int AS n FROM messages`);
    const { rows: sent } = await t.pool.query(`SELECT count(*)::int AS n FROM events WHERE type = 'MessageSent'`);
    expect(after[0].n).toBe(sent[0].n);
    expect(await pendingRebuilds(t.pool)).toEqual([]);
  });
});
