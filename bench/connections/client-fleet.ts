import { fork, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import type { FromWorker, ToWorker, WorkerClient, WorkerStatus } from './worker-protocol.js';

const WORKER = fileURLToPath(new URL('./client-worker.ts', import.meta.url));
/** Sockets per load-generating process: well under the per-process file-descriptor limit (20,000 here). */
export const CLIENTS_PER_WORKER = 5_000;

type Applied = Extract<FromWorker, { type: 'applied' }>['items'][number];

/** The load generator's processes, driven together: start, ask for their status (merged), close. */
export class ClientFleet {
  private constructor(
    private readonly workers: ChildProcess[],
    private readonly onApplied: (item: Applied) => void,
  ) {}

  /**
   * The active pairs' receivers (`watched`) get a process of their own, the rest (the crowd) share the others:
   * a receiver's latency is then not the time its process spends resetting and reconnecting thousands of crowd
   * sockets when a node dies (in production those are other people's machines). With `crowdNice`, the crowd's processes run at that
   * nice value: their bursts then take only the CPU the servers leave, as other people's machines would.
   */
  static async start(
    clients: WorkerClient[],
    options: { urls: string[]; baseline: number; concurrency: number; crowdNice?: number; onApplied(item: Applied): void },
  ) {
    const watched = clients.filter((c) => c.watched);
    const crowd = clients.filter((c) => !c.watched);
    const crowdWorkers = Math.max(1, Math.ceil(crowd.length / CLIENTS_PER_WORKER));
    const shares = [
      ...(watched.length > 0 ? [watched] : []),
      ...Array.from({ length: crowdWorkers }, (_, w) => crowd.filter((_, i) => i % crowdWorkers === w)),
    ];
    const workers = shares.map(() =>
      fork(WORKER, [], { execArgv: ['--import', 'tsx', '--max-old-space-size=4096'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
    );
    if (options.crowdNice)
      shares.forEach((share, w) => {
        if (share !== watched) os.setPriority(workers[w].pid!, options.crowdNice!);
      });
    const fleet = new ClientFleet(workers, options.onApplied);
    for (const worker of workers) {
      worker.on('message', (message: FromWorker) => {
        if (message.type === 'applied') for (const item of message.items) fleet.onApplied(item);
      });
    }
    await Promise.all(workers.map((w) => new Promise<void>((resolve) => w.once('message', () => resolve()))));
    workers.forEach((worker, w) => {
      worker.send({
        type: 'start',
        urls: options.urls,
        baseline: options.baseline,
        clients: shares[w],
        concurrency: Math.max(1, Math.round((options.concurrency * shares[w].length) / clients.length)),
      } satisfies ToWorker);
    });
    return fleet;
  }

  get pids() {
    return this.workers.map((w) => w.pid!);
  }

  /** Counts; with `full`, every latency and timestamp recorded too. */
  status(full = false): Promise<WorkerStatus> {
    return this.ask({ type: 'status', full });
  }

  /** Forgets the reconnect, catch-up and error counters (before a storm). */
  resetCounters(): Promise<WorkerStatus> {
    return this.ask({ type: 'reset-counters' });
  }

  async close() {
    await Promise.all(
      this.workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.exitCode !== null) return resolve();
            w.once('exit', () => resolve());
            w.send({ type: 'close' } satisfies ToWorker);
          }),
      ),
    );
  }

  private async ask(message: ToWorker): Promise<WorkerStatus> {
    const statuses = await Promise.all(
      this.workers.map(
        (w) =>
          new Promise<WorkerStatus>((resolve) => {
            const listener = (reply: FromWorker) => {
              if (reply.type !== 'status') return;
              w.off('message', listener);
              resolve(reply.status);
            };
            w.on('message', listener);
            w.send(message);
          }),
      ),
    );
    return mergeStatuses(statuses);
  }
}

function mergeStatuses(statuses: WorkerStatus[]): WorkerStatus {
  const sumCounts = (key: 'connectErrors' | 'catchUpStatuses' | 'catchUpsPerSecond' | 'eventsByType') => {
    const total: Record<string, number> = {};
    for (const s of statuses) for (const [k, v] of Object.entries(s[key])) total[k] = (total[k] ?? 0) + v;
    return total;
  };
  const onNode: number[] = [];
  for (const s of statuses) s.onNode.forEach((n, i) => (onNode[i] = (onNode[i] ?? 0) + n));
  const concat = (key: 'connectLatencies' | 'reconnectedAt' | 'awayMs' | 'caughtUpAt' | 'attemptsAt') => statuses.flatMap((s) => s[key]);
  return {
    clients: statuses.reduce((n, s) => n + s.clients, 0),
    online: statuses.reduce((n, s) => n + s.online, 0),
    everConnected: statuses.reduce((n, s) => n + s.everConnected, 0),
    caughtUp: statuses.reduce((n, s) => n + s.caughtUp, 0),
    presenceOfflineReceived: statuses.reduce((n, s) => n + s.presenceOfflineReceived, 0),
    watchedAway: statuses.flatMap((s) => s.watchedAway),
    onNode: Array.from(onNode, (n) => n ?? 0),
    connectLatencies: concat('connectLatencies'),
    reconnectedAt: concat('reconnectedAt'),
    awayMs: concat('awayMs'),
    caughtUpAt: concat('caughtUpAt'),
    attemptsAt: concat('attemptsAt'),
    connectErrors: sumCounts('connectErrors'),
    catchUpStatuses: sumCounts('catchUpStatuses'),
    catchUpsPerSecond: sumCounts('catchUpsPerSecond'),
    eventsByType: sumCounts('eventsByType'),
  };
}
