import { appendFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eventually } from '../../support/api-client.js';

/** Where failover tests append their measurements (one JSON object per line), for BENCHMARKS.md. */
export const MEASUREMENTS_FILE = process.env.FAILOVER_MEASUREMENTS ?? path.join(os.tmpdir(), 'derbel-failover-measurements.jsonl');

export function record(scenario: string, values: Record<string, unknown>) {
  const entry = { scenario, at: new Date().toISOString(), ...values };
  appendFileSync(MEASUREMENTS_FILE, `${JSON.stringify(entry)}\n`);
  console.log(`[failover] ${scenario}: ${JSON.stringify(values)}`);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `probe` is truthy; fails with `message` (and the last error) after `timeoutMs`. */
export async function waitUntil<T>(probe: () => T | Promise<T>, timeoutMs: number, message: string, intervalMs = 50): Promise<T> {
  try {
    return await eventually(probe, { timeoutMs, intervalMs });
  } catch (error) {
    throw new Error(`${message} (after ${timeoutMs} ms): ${String(error)}`);
  }
}

export function duplicates<T>(values: T[]): T[] {
  const seen = new Set<T>();
  return values.filter((v) => (seen.has(v) ? true : (seen.add(v), false)));
}
