import os from 'node:os';
import { benchCommandCost } from './command-cost.js';
import { benchGroupFanout } from './group-fanout.js';
import { benchGroupSendCost } from './group-send-cost.js';
import { benchConnections } from './connections.js';
import { benchHandshake } from './handshake.js';
import { benchHistory } from './history.js';
import { benchMessaging } from './messaging.js';
import { benchPresence } from './presence.js';
import { benchReconnectCatchUp } from './reconnect-catch-up.js';
import { runRebuildBenchmark } from './rebuild.js';
import { benchSearch } from './search.js';

/**
 * `npm run bench [messaging|command-cost|group-send-cost|groups|rebuild|connections|handshake|reconnect-catch-up|history|presence|search]… [--pairs=N --rate=N --seconds=N]
 * [--users 2000 --storm] [--concurrency=N]`: runs the benchmarks and prints one JSON summary. Flags are numbers
 * (`--name=N` or `--name N`); a bare `--name` is 1.
 */
const args = process.argv.slice(2);
const flags: Record<string, number> = {};
const wanted: string[] = [];
for (let i = 0; i < args.length; i++) {
  const arg = args[i];
  if (!arg.startsWith('--')) {
    wanted.push(arg);
    continue;
  }
  const [name, value] = arg.slice(2).split('=');
  if (value !== undefined) flags[name] = Number(value);
  else if (args[i + 1] !== undefined && /^-?\d+(\.\d+)?$/.test(args[i + 1])) flags[name] = Number(args[++i]);
  else flags[name] = 1;
}
const available: Record<string, () => Promise<unknown>> = {
  'command-cost': () => benchCommandCost(),
  'group-send-cost': () => benchGroupSendCost(),
  groups: () => benchGroupFanout(flags),
  messaging: () => benchMessaging(flags),
  handshake: () => benchHandshake(flags),
  'reconnect-catch-up': () => benchReconnectCatchUp(flags),
  history: () => benchHistory(flags),
  presence: () => benchPresence(flags),
  rebuild: () => runRebuildBenchmark((line) => console.error(line)),
  connections: () => benchConnections(flags),
  search: () => benchSearch(flags),
};

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
    {
      machine: {
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model,
        memoryGiB: Math.round(os.totalmem() / 2 ** 30),
        node: process.version,
      },
      date: new Date().toISOString(),
      results,
    },
    null,
    2,
  ),
);
process.exit(0);
