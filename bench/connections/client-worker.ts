import { Pool } from 'undici';
import { Backoff } from '../../web/src/client/transport/backoff.js';
import { FeedSync, type FeedPage } from '../../web/src/client/sync/feed-sync.js';
import { MissedFeedWait } from '../../web/src/client/transport/socket-connection.js';
import type { FeedEvent } from '../../web/src/client/types.js';
import { RawSocketClient } from './raw-socket-client.js';
import { machineNow, type FromWorker, type ToWorker, type WorkerClient, type WorkerStatus } from './worker-protocol.js';

/**
 * One load-generating process of the connections bench (a process, not a thread: the file-descriptor limit
 * is per process). It holds its share of the clients, each a raw socket plus the web client's own FeedSync,
 * catching up after every reconnect as the web client does — from the page the node sends with the connect
 * (`feed:missed`), with `GET /api/events?after=` for the rest or when none came — and retrying a failed
 * catch-up with the web client's jittered back-off.
 */
const send = (message: FromWorker) => process.send!(message);

let clients: Array<{
  spec: WorkerClient;
  socket: RawSocketClient;
  feed: FeedSync;
  caughtUpSinceReset: boolean;
  reconnectedSinceReset: boolean;
  /** When it lost its connection since the reset (`machineNow()`). */
  lostAt: number | null;
}> = [];
/** First handshakes under way (the start's concurrency bound). */
let firstInFlight = 0;
let launch = () => {};
let pools: Pool[] = [];
let counters = freshCounters();
let pendingApplied: Extract<FromWorker, { type: 'applied' }>['items'] = [];

function freshCounters() {
  return {
    connectLatencies: [] as number[],
    reconnectedAt: [] as number[],
    awayMs: [] as number[],
    caughtUpAt: [] as number[],
    attemptsAt: [] as number[],
    connectErrors: {} as Record<string, number>,
    catchUpStatuses: {} as Record<string, number>,
    catchUpsPerSecond: {} as Record<string, number>,
    eventsByType: {} as Record<string, number>,
    presenceOfflineReceived: 0,
  };
}
const bump = (counts: Record<string, number>, key: string) => (counts[key] = (counts[key] ?? 0) + 1);

async function fetchPage(node: number, token: string, after: number): Promise<FeedPage> {
  let status: string;
  try {
    const response = await pools[node].request({
      method: 'GET',
      path: `/api/events?after=${after}&limit=200`,
      headers: { authorization: `Bearer ${token}` },
    });
    status = String(response.statusCode);
    bump(counters.catchUpStatuses, status);
    if (response.statusCode !== 200) {
      await response.body.dump();
      throw new Error(`catch-up answered ${status}`);
    }
    bump(counters.catchUpsPerSecond, String(Math.floor(machineNow() / 1000)));
    return (await response.body.json()) as FeedPage;
  } catch (error) {
    if (!(error instanceof Error && error.message.startsWith('catch-up answered'))) bump(counters.catchUpStatuses, 'network');
    throw error;
  }
}

function start(message: Extract<ToWorker, { type: 'start' }>) {
  pools = message.urls.map((url) => new Pool(url, { connections: 128, pipelining: 1, headersTimeout: 60_000, bodyTimeout: 60_000 }));
  clients = message.clients.map((spec) => {
    const fromCatchUp = new Set<string>();
    const entry = {
      spec,
      caughtUpSinceReset: false,
      reconnectedSinceReset: false,
      lostAt: null as number | null,
      feed: new FeedSync(
        async (after) => {
          const page = await fetchPage(entry.socket.node, spec.token, after);
          if (spec.watched)
            for (const event of page.events) if (event.type === 'MessageSent') fromCatchUp.add(event.data.messageId as string);
          return page;
        },
        (event: FeedEvent) => {
          if (!spec.watched || event.type !== 'MessageSent') return;
          const messageId = event.data.messageId as string;
          pendingApplied.push({
            messageId,
            receiverId: spec.userId,
            at: machineNow(),
            via: fromCatchUp.delete(messageId) ? 'catch-up' : 'push',
          });
        },
      ),
      socket: null as unknown as RawSocketClient,
    };
    entry.feed.setBaseline(message.baseline);
    let firstPending = true;
    const firstDone = () => {
      if (!firstPending) return;
      firstPending = false;
      firstInFlight--;
      launch();
    };
    const retry = new Backoff();
    let missedWait: MissedFeedWait | null = null;
    const catchUp = (afterReconnect: boolean, missed?: Promise<FeedPage | null>): void => {
      entry.feed.catchUp(missed).then(
        () => {
          retry.reset();
          if (!afterReconnect || entry.caughtUpSinceReset) return;
          entry.caughtUpSinceReset = true;
          counters.caughtUpAt.push(machineNow());
        },
        () => void setTimeout(() => catchUp(afterReconnect), retry.next()),
      );
    };
    entry.socket = new RawSocketClient(
      message.urls,
      spec.node,
      spec.token,
      {
        onEvent: (event) => {
          bump(counters.eventsByType, event.type);
          // A batch of several changes for one recipient: how many changes it carried.
          const changes = (event as { data?: { changes?: unknown } }).data?.changes;
          if (event.type === 'PresenceChanges' && Array.isArray(changes)) {
            counters.eventsByType.presenceChangesInBatches = (counters.eventsByType.presenceChangesInBatches ?? 0) + changes.length;
            counters.presenceOfflineReceived += changes.filter((c: { online?: boolean }) => c.online === false).length;
          } else if (event.type === 'PresenceChanged' && (event.data as { online?: boolean }).online === false)
            counters.presenceOfflineReceived++;
          if (typeof event.position === 'number') entry.feed.receive(event as FeedEvent);
          else if (event.type === 'FeedResync') catchUp(false);
        },
        onConnected: ({ reconnect, latencyMs, namedFeedAfter }) => {
          counters.connectLatencies.push(latencyMs);
          if (!reconnect) return firstDone();
          if (!entry.reconnectedSinceReset) {
            counters.reconnectedAt.push(machineNow());
            if (entry.lostAt !== null) counters.awayMs.push(machineNow() - entry.lostAt);
          }
          entry.reconnectedSinceReset = true;
          missedWait?.settle(null);
          missedWait = namedFeedAfter === null ? null : new MissedFeedWait(namedFeedAfter);
          const missed = missedWait?.page.then((page) => {
            if (!page) return page;
            // Served by the node as a catch-up, without a request.
            bump(counters.catchUpStatuses, 'sent with the connect');
            bump(counters.catchUpsPerSecond, String(Math.floor(machineNow() / 1000)));
            if (spec.watched)
              for (const event of page.events) if (event.type === 'MessageSent') fromCatchUp.add(event.data.messageId as string);
            return page;
          });
          catchUp(true, missed);
        },
        onMissed: (payload) => missedWait?.settle(payload),
        onAttempt: () => entry.socket.everConnected && counters.attemptsAt.push(machineNow()),
        onConnectError: (reason) => {
          bump(counters.connectErrors, reason);
          if (!entry.socket.everConnected) firstDone();
        },
        onDisconnected: () => {
          entry.lostAt ??= machineNow();
          missedWait?.settle(null);
        },
      },
      () => entry.feed.position,
    );
    return entry;
  });
  // At most `concurrency` handshakes in flight, as a crowd arriving at a steady pace rather than one SYN flood.
  let next = 0;
  launch = () => {
    while (next < clients.length && firstInFlight < message.concurrency) {
      firstInFlight++;
      clients[next++].socket.connect();
    }
  };
  launch();
}

function status(full: boolean): WorkerStatus {
  const onNode: number[] = [];
  let online = 0;
  let everConnected = 0;
  let caughtUp = 0;
  const watchedAway: string[] = [];
  for (const { spec, socket, caughtUpSinceReset } of clients) {
    if (spec.watched && socket.state !== 'online') watchedAway.push(spec.userId);
    if (socket.state === 'online') {
      online++;
      onNode[socket.node] = (onNode[socket.node] ?? 0) + 1;
    }
    if (socket.everConnected) everConnected++;
    if (caughtUpSinceReset) caughtUp++;
  }
  const counts = { clients: clients.length, online, everConnected, caughtUp, watchedAway, onNode: Array.from(onNode, (n) => n ?? 0) };
  return full
    ? { ...counts, ...counters }
    : {
        ...counts,
        ...freshCounters(),
        connectErrors: counters.connectErrors,
        catchUpStatuses: counters.catchUpStatuses,
        presenceOfflineReceived: counters.presenceOfflineReceived,
      };
}

setInterval(() => {
  if (pendingApplied.length === 0) return;
  send({ type: 'applied', items: pendingApplied });
  pendingApplied = [];
}, 50);

process.on('message', (message: ToWorker) => {
  if (message.type === 'start') start(message);
  else if (message.type === 'status') send({ type: 'status', status: status(message.full) });
  else if (message.type === 'reset-counters') {
    counters = freshCounters();
    for (const client of clients) {
      client.caughtUpSinceReset = client.reconnectedSinceReset = false;
      client.lostAt = null;
    }
    send({ type: 'status', status: status(false) });
  } else if (message.type === 'close') {
    for (const { socket } of clients) socket.close();
    void Promise.all(pools.map((p) => p.close())).finally(() => process.exit(0));
  }
});
process.on('disconnect', () => process.exit(0));
send({ type: 'ready' });
