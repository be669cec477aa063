import os from 'node:os';
import pg from 'pg';
import { derbelUpcasters } from '../application/upcasting/derbel-upcasters.js';
import { withUpcasting } from '../application/upcasting/upcasting-event-store.js';
import { seedEvents } from '../infrastructure/cli/commands/seed-log.js';
import { migrate } from '../infrastructure/database/migrate.js';
import { createPool } from '../infrastructure/database/pool.js';
import { PostgresEventStore } from '../infrastructure/event-store/postgres-event-store.js';
import { allProjections } from '../projections/all-projections.js';
import { rebuildProjections } from '../infrastructure/projections/rebuild.js';
import { cpuMeter } from './rebuild-cpu.js';

export interface RebuildBenchmarkResult {
  events: number;
  seedSeconds: number;
  runs: Array<{
    name: string;
    seconds: number;
    eventsPerSecond: number;
    swapSeconds: number;
    cpu: { nodeSeconds: number; postgresSeconds: number } | null;
  }>;
}

/**
 * Rebuild rate over a generated log: seeds BENCH_EVENTS (default 1,000,000) events into a fresh database
 * with the seeding SQL, then times `rebuild --all` (one pass feeding every projection) and each projection
 * alone. Needs a PostgreSQL: BENCH_DATABASE_URL (an admin URL; a scratch database is created and dropped)
 * or the tests' default, postgres://postgres@127.0.0.1:5432/postgres.
 */
export async function runRebuildBenchmark(log: (line: string) => void = console.log): Promise<RebuildBenchmarkResult> {
  const events = Number(process.env.BENCH_EVENTS ?? 1_000_000);
  const batchSize = process.env.BENCH_BATCH_SIZE ? Number(process.env.BENCH_BATCH_SIZE) : undefined;
  const only = process.env.BENCH_ONLY?.split(',');
  const perProjection = process.env.BENCH_PER_PROJECTION !== '0';
  const admin = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `derbel_bench_${Date.now().toString(36)}`;
  const adminClient = new pg.Client({ connectionString: admin });
  await adminClient.connect();
  await adminClient.query(`CREATE DATABASE ${name}`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  const pool = createPool(databaseUrl, 4);
  const store = withUpcasting(new PostgresEventStore(pool, databaseUrl), derbelUpcasters());
  try {
    await migrate(databaseUrl);
    log(
      `rebuild benchmark: ${os.cpus().length} cores, load average ${os.loadavg()[0].toFixed(1)}, seeding ${events.toLocaleString('en')} events…`,
    );
    const seedStarted = performance.now();
    const client = await pool.connect();
    const seeded = await seedEvents(client, { events }).finally(() => client.release());
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    log(
      `seeded ${seeded.events.toLocaleString('en')} events (${seeded.users} users, ${seeded.contacts} contacts, ${seeded.messages} messages) in ${seedSeconds.toFixed(1)} s`,
    );
    await pool.query('VACUUM ANALYZE events');

    const runs: RebuildBenchmarkResult['runs'] = [];
    const time = async (label: string, projections = allProjections()) => {
      const cpu = cpuMeter(name);
      await cpu.start();
      let swapStarted = 0;
      const result = await rebuildProjections({
        connectionString: databaseUrl,
        store,
        projections,
        batchSize,
        onProgress: (p) => void (p.phase === 'swapping' && (swapStarted = performance.now())),
      });
      const swapSeconds = (performance.now() - swapStarted) / 1000;
      const used = await cpu.stop();
      runs.push({ name: label, seconds: result.seconds, eventsPerSecond: result.eventsPerSecond, swapSeconds, cpu: used });
      const cpuText = used ? `; CPU: node ${used.nodeSeconds.toFixed(1)} s, PostgreSQL ${used.postgresSeconds.toFixed(1)} s` : '';
      log(
        `${label.padEnd(15)} ${result.applied.toLocaleString('en')} events in ${result.seconds.toFixed(1)} s (swap ${swapSeconds.toFixed(1)} s): ${Math.round(result.eventsPerSecond).toLocaleString('en')} events/s${cpuText}`,
      );
    };
    if (!only) await time('all (one pass)');
    if (perProjection || only)
      for (const projection of allProjections().filter((p) => !only || only.includes(p.name))) await time(projection.name, [projection]);
    return { events: seeded.events, seedSeconds, runs };
  } finally {
    await store.close();
    await pool.end();
    await adminClient.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
    await adminClient.end();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runRebuildBenchmark().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
