import { appendFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Where failover tests append their measurements (one JSON object per line), for BENCHMARKS.md. */
export const MEASUREMENTS_FILE = process.env.FAILOVER_MEASUREMENTS ?? path.join(os.tmpdir(), 'derbel-failover-measurements.jsonl');

export function record(scenario: string, values: Record<string, unknown>) {
  const entry = { scenario, at: new Date().toISOString(), ...values };
  appendFileSync(MEASUREMENTS_FILE, `${JSON.stringify(entry)}\n`);
  console.log(`[failover] ${scenario}: ${JSON.stringify(values)}`);
}

export function duplicates<T>(values: T[]): T[] {
  const seen = new Set<T>();
  return values.filter((v) => (seen.has(v) ? true : (seen.add(v), false)));
}
