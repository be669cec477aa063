/** Messages between the connections bench (parent) and its load-generating processes (client-worker.ts). */

export interface WorkerClient {
  userId: string;
  token: string;
  /** The node it first connects to (index into `urls`). */
  node: number;
  /** Receives an active pair's messages: report when each is applied. */
  watched: boolean;
}

export type ToWorker =
  | { type: 'start'; urls: string[]; baseline: number; clients: WorkerClient[]; concurrency: number }
  /** Counts only, unless `full` (then the per-event arrays too: large with many clients). */
  | { type: 'status'; full: boolean }
  | { type: 'reset-counters' }
  | { type: 'close' };

export interface WorkerStatus {
  clients: number;
  online: number;
  /** Connected at least once. */
  everConnected: number;
  /** Connected since the last counter reset and caught up (`GET /api/events?after=` done). */
  caughtUp: number;
  /** Watched clients (active pairs' receivers) not connected now, nor caught up since the reset. */
  watchedAway: string[];
  onNode: number[];
  connectLatencies: number[];
  /** Epoch ms (performance.timeOrigin based) of each client's first reconnect and first catch-up after it, since the reset. */
  reconnectedAt: number[];
  /** How long each client that reconnected since the reset had been without a connection (ms). */
  awayMs: number[];
  caughtUpAt: number[];
  /** Epoch ms of every handshake attempt after the first connection (to see the herd's shape). */
  attemptsAt: number[];
  connectErrors: Record<string, number>;
  catchUpStatuses: Record<string, number>;
  /** Completed catch-up requests per second (second of `machineNow()` → count). */
  catchUpsPerSecond: Record<string, number>;
  eventsByType: Record<string, number>;
  /** Presence changes to offline pushed to the clients since the reset (everyone comes back: each is a flap). */
  presenceOfflineReceived: number;
}

export type FromWorker =
  | { type: 'ready' }
  | { type: 'status'; status: WorkerStatus }
  /** An active pair's message applied by its receiver (pushed or caught up), at `machineNow()`. */
  | { type: 'applied'; items: Array<{ messageId: string; receiverId: string; at: number; via: 'push' | 'catch-up' }> };

/**
 * Milliseconds on this machine's monotonic clock (CLOCK_MONOTONIC), the same in every process of it. Not
 * `performance.timeOrigin + performance.now()`: each process takes its origin from the wall clock as it starts, so
 * a step of the wall clock between two processes' starts offsets every latency measured across them (a run here
 * saw every message ~500 ms late, before anything failed).
 */
export const machineNow = () => Number(process.hrtime.bigint()) / 1e6;

/** Where a balancer sends a request its node refused (the node is gone): any of the other nodes, at random. */
export const anotherNode = (node: number, nodes: number) => (node + 1 + Math.floor(Math.random() * (nodes - 1))) % nodes;
