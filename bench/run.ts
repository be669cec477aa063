import os from 'node:os';
import { benchCommandCost } from './command-cost.js';
import { benchHandshake } from './handshake.js';
import { benchHistory } from './history.js';
import { benchMessaging } from './messaging.js';
import { runRebuildBenchmark } from './rebuild.js';

/**
 * `npm run bench [messaging|handshake|history|command-cost|rebuild]… [--pairs=N --rate=N --seconds=N --users=N --concurrency=N]`: runs the benchmarks and
 * prints one JSON summary.
 */
const flags = Object.fromEntries(
  process.argv
    .slice(2)
    .filter((a) => a.startsWith('--'))
    .map((a) => a.slice(2).split('='))
    .map(([k, v]) => [k, Number(v)]),
);
const available: Record<string, () => Promise<unknown>> = {
  'command-cost': () => benchCommandCost(),
  messaging: () => benchMessaging(flags),
  handshake: () => benchHandshake(flags),
  history: () => benchHistory(flags),
  rebuild: () => runRebuildBenchmark((line) => console.error(line)),
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const names = wanted.length > 0 ? wanted : Object.keys(available);
const unknown = names.filter((n) => !available[n]);
if (unknown.length > 0) {
  console.error(`Unknown benchmark(s): ${unknown.join(', ')}. Available: ${Object.keys(available).join(', ')}`);
  process.exit(2);
}

const results: Record<string, unknown> = {};
for (const name of names) {
  console.error(`running ${name}…`);
  results[name] = await available[name]();
  console.error(JSON.stringify({ [name]: results[name] }));
}
console.log(
  JSON.stringify(
    { machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version }, date: new Date().toISOString(), results },
    null,
    2,
  ),
);
process.exit(0);
