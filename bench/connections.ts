import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { migrate } from '../infrastructure/database/migrate.js';
import { createTestDatabase } from '../test/support/database.js';
import { startNodeProcess, type NodeProcess } from '../test/support/node-process.js';
import { TEST_REDIS_URL } from '../test/support/test-env.js';
import { ClientFleet } from './connections/client-fleet.js';
import { PairSenders, type ActivePair } from './connections/pair-senders.js';
import { projectionsReached, seedPopulation } from '../test/support/seeded-population.js';
import { machineNow, type WorkerStatus } from './connections/worker-protocol.js';
import { cpuMillisecondsBetween, cpuSnapshot, processCpuSeconds } from './cpu-usage.js';
import { rebuildReadModels } from './rebuild-read-models.js';
import { BENCH_NODE_ENV, scrapeMetrics, summarize } from './support.js';

export interface ConnectionsOptions {
  users?: number;
  contacts?: number;
  pairs?: number;
  rate?: number;
  seconds?: number;
  idleSeconds?: number;
  /** Handshakes in flight at once while everyone connects. */
  concurrency?: number;
  storm?: number;
  stormSeconds?: number;
  /** With `storm`: node 2 gets SIGTERM (a deploy: it drains) instead of SIGKILL (a crash). */
  drain?: number;
  /** The nodes' `DRAIN_TIMEOUT_MS` (default 60 s, as docker-compose.yml sets it). */
  drainTimeoutMs?: number;
  /** Api nodes (default 2; compose runs 3): everyone spread evenly over them; node 2 is the one that goes. */
  nodes?: number;
  /** The crowd's load-generating processes run at this nice value (default 0, as the servers; see ClientFleet). */
  crowdNice?: number;
}

const log = (line: string) => console.error(`[connections] ${line}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rssMiB = (pid: number) => {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
};
const openFilesLimit = () => /Max open files\s+(\d+)\s+(\d+)/.exec(readFileSync('/proc/self/limits', 'utf8'))?.slice(1).map(Number) ?? [];
/**
 * The open-files limit the nodes run with: room for every user's socket on one node (the survivor of a storm
 * holds them all) and its own descriptors. Raising a limit past the hard one needs root; elsewhere the nodes
 * keep this process's limit, and the survivor's connection ceiling (limit − 128) may keep the last ones out.
 */
function nodeOpenFilesLimit(users: number, softLimit: number | undefined): { raiseTo?: number; note: string } {
  const wanted = users + 4_096;
  if (softLimit !== undefined && softLimit >= wanted) return { note: `${softLimit}, room for ${users} sockets` };
  if (spawnSync('sh', ['-c', `ulimit -n ${wanted}`]).status === 0) return { raiseTo: wanted, note: `raised to ${wanted}` };
  return { note: `${softLimit}, and it cannot be raised to ${wanted}: the survivor of a storm cannot hold every socket` };
}
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

/**
 * Many connected people (issue 21): seeds `users` people with `contacts` contacts each, connects them all over
 * WebSocket to two api nodes (half each; `--nodes` for more), measures connect rate and latency, server memory per socket and idle
 * CPU, then the latency of `pairs` active pairs sending `rate` messages/s while everyone is connected. With
 * `--storm`, SIGKILLs node 2 while the pairs keep sending, and measures how its clients come back on the others
 * and catch up. See BENCHMARKS.md.
 */
export async function benchConnections(options: ConnectionsOptions = {}) {
  const {
    users = 2_000,
    contacts = 20,
    pairs = 200,
    rate = 500,
    seconds = 20,
    idleSeconds = 15,
    concurrency = 200,
    storm = 0,
    stormSeconds = 30,
    drain = 0,
    drainTimeoutMs = 60_000,
    nodes: nodeCount = 2,
    crowdNice = 0,
  } = options;
  const [softLimit, hardLimit] = openFilesLimit();
  // The machine is shared: a load average above its core count says the figures are a busy box's.
  const loadAtStart = os.loadavg()[0];
  log(
    `${users} users × ${contacts} contacts, ${pairs} active pairs at ${rate}/s; open files limit ${softLimit} (hard ${hardLimit}) per process`,
  );
  const nodeFiles = nodeOpenFilesLimit(users, softLimit);
  const nodeFilesLimit = nodeFiles.raiseTo;
  log(`the nodes' open files limit: ${nodeFiles.note}`);
  const db = await createTestDatabase('derbel_bench');
  const nodes: NodeProcess[] = [];
  let fleet: ClientFleet | null = null;
  let senders: PairSenders | null = null;
  try {
    await migrate(db.url);
    const population = await seedPopulation(db.url, { users, contactsPerUser: contacts, pairs });
    log(`seeded in ${population.seconds.toFixed(1)} s (head ${population.head})`);
    const rebuilt = await rebuildReadModels(db.url);
    log(`read models rebuilt in ${rebuilt.seconds.toFixed(1)} s (${Math.round(rebuilt.eventsPerSecond)} events/s)`);
    const env = {
      ...BENCH_NODE_ENV,
      DATABASE_URL: db.url,
      REDIS_URL: TEST_REDIS_URL,
      LOG_LEVEL: 'error',
      DRAIN_TIMEOUT_MS: String(drainTimeoutMs),
    };
    for (let i = 1; i <= nodeCount; i++)
      nodes.push(await startNodeProcess({ ...env, NODE_ID: `conn-${i}` }, { openFilesLimit: nodeFilesLimit }));
    const urls = nodes.map((n) => n.url);
    const projectionStarted = performance.now();
    await projectionsReached(db.url, population.head);
    const projectionSeconds = (performance.now() - projectionStarted) / 1000;
    log(`the nodes' projections joined the rebuilt read models in ${projectionSeconds.toFixed(1)} s`);

    // Users 2i and 2i + 1 share a node, in turn by pair, so the active pairs are spread evenly over the nodes.
    const nodeOf = (i: number) => (i >> 1) % nodeCount;
    const receivers = new Set(population.pairs.map((p) => population.users[p.receiver].userId));
    const activePairs: ActivePair[] = population.pairs.map((p) => ({
      contactId: p.contactId,
      senderToken: population.users[p.sender].token,
      receiverId: population.users[p.receiver].userId,
      node: nodeOf(p.receiver),
    }));
    senders = new PairSenders(urls, activePairs);
    const rssBefore = nodes.map((n) => rssMiB(n.child.pid!));

    // 1. Everyone connects.
    const connectStarted = performance.now();
    fleet = await ClientFleet.start(
      population.users.map((u, i) => ({ userId: u.userId, token: u.token, node: nodeOf(i), watched: receivers.has(u.userId) })),
      { urls, baseline: population.head, concurrency, crowdNice, onApplied: (item) => senders!.record(item) },
    );
    let status = await fleet.status();
    const connectDeadline = Date.now() + 60_000 + users * 100;
    let lastLog = Date.now();
    while (status.everConnected < users && Date.now() < connectDeadline) {
      await sleep(250);
      status = await fleet.status();
      if (Date.now() - lastLog > 30_000) {
        lastLog = Date.now();
        log(`${status.everConnected}/${users} connected after ${Math.round((performance.now() - connectStarted) / 1000)} s`);
      }
    }
    status = await fleet.status(true);
    const connectSeconds = (performance.now() - connectStarted) / 1000;
    log(`${status.everConnected}/${users} connected in ${connectSeconds.toFixed(1)} s; on nodes ${status.onNode.join(' / ')}`);
    const connect = {
      connected: status.everConnected,
      seconds: round(connectSeconds),
      perSecond: Math.round(status.everConnected / connectSeconds),
      concurrency,
      latencyMs: summarize(status.connectLatencies),
      errors: status.connectErrors,
    };

    // 2. Idle: memory per socket and the heartbeats' CPU.
    await sleep(3_000);
    const rssAfter = nodes.map((n) => rssMiB(n.child.pid!));
    const cpuParts = Object.fromEntries(nodes.map((n, i) => [`node${i + 1}`, n.child.pid!]));
    const idleBefore = cpuSnapshot(cpuParts);
    const loadGenBefore = fleet.pids.reduce((s, pid) => s + processCpuSeconds(pid), 0);
    log(`idle for ${idleSeconds} s…`);
    await sleep(idleSeconds * 1000);
    const idleCpu = cpuMillisecondsBetween(idleBefore, cpuSnapshot(cpuParts));
    const loadGenIdleMs = Math.round((fleet.pids.reduce((s, pid) => s + processCpuSeconds(pid), 0) - loadGenBefore) * 1000);
    status = await fleet.status();
    const idle = {
      seconds: idleSeconds,
      socketsPerNode: status.onNode,
      rssMiB: nodes.map((_, i) => ({ before: round(rssBefore[i]), after: round(rssAfter[i]) })),
      rssKiBPerSocket: nodes.map((_, i) => round(((rssAfter[i] - rssBefore[i]) * 1024) / Math.max(1, status.onNode[i] ?? 0))),
      cpuPercentOfOneCore: Object.fromEntries(
        [...Object.entries(idleCpu).filter(([k]) => k !== 'loadGenerator'), ['clientProcesses', loadGenIdleMs] as const].map(([k, ms]) => [
          k,
          round(ms / (idleSeconds * 10)),
        ]),
      ),
    };
    log(`idle: ${JSON.stringify(idle)}`);

    // 3. Active pairs while everyone is connected, after each pair's first message: that one opens the
    // sender's connections and warms the node's caches of its session and conversation (reported apart; in
    // a 30 s run these 200 cold sends were the whole tail: p95 1 s, against 73 ms for the rest).
    let warmUpSent = 0;
    const warmUpIds = await senders.run(rate, () => warmUpSent++ >= activePairs.length);
    await senders.settle(warmUpIds, 10_000);
    const firstSends = senders.report(warmUpIds);
    log(`first message of each pair: ${JSON.stringify(firstSends)}`);
    log(`${pairs} pairs at ${rate}/s for ${seconds} s…`);
    const activeStarted = performance.now();
    const activeEnd = activeStarted + seconds * 1000;
    const activeCpuBefore = cpuSnapshot(cpuParts);
    const clientsCpuBefore = fleet.pids.reduce((s, pid) => s + processCpuSeconds(pid), 0);
    const activeIds = await senders.run(rate, () => performance.now() > activeEnd);
    const activeWallSeconds = (performance.now() - activeStarted) / 1000;
    const activeCpu = {
      ...cpuMillisecondsBetween(activeCpuBefore, cpuSnapshot(cpuParts)),
      clientProcesses: (fleet.pids.reduce((s, pid) => s + processCpuSeconds(pid), 0) - clientsCpuBefore) * 1000,
    };
    await senders.settle(activeIds, 10_000);
    const active = {
      rate,
      seconds,
      ...senders.report(activeIds),
      sendStatuses: { ...senders.statuses },
      // Who the two cores went to while the pairs sent (the load generator is the pairs' senders).
      cpuPercentOfOneCore: Object.fromEntries(Object.entries(activeCpu).map(([k, ms]) => [k, round(ms / (activeWallSeconds * 10))])),
    };
    log(`active: ${JSON.stringify(active)}`);

    const result: Record<string, unknown> = {
      loadAverageAtStart: round(loadAtStart, 2),
      users,
      contactsPerUser: contacts,
      nodeOpenFilesLimit: nodeFilesLimit ?? softLimit,
      pairs,
      crowdNice,
      seeding: { seconds: round(population.seconds), rebuildSeconds: round(rebuilt.seconds), projectionSeconds: round(projectionSeconds) },
      connect,
      idle,
      firstSends,
      active,
    };
    if (storm)
      result.storm = await reconnectStorm(fleet, senders, nodes, { users, rate, stormSeconds, receivers: activePairs, drain: drain > 0 });
    result.loadAverageAtEnd = round(os.loadavg()[0], 2);
    return result;
  } finally {
    await fleet?.close().catch(() => {});
    await senders?.close().catch(() => {});
    await Promise.all(nodes.map((n) => n.stop()));
    await db.drop();
  }
}

/**
 * SIGKILL of node 2 (or SIGTERM with `drain`: it moves its sockets itself) while the pairs keep sending. Its
 * clients reconnect (to another node, at random: the balancer's redispatch) with the web client's jittered back-off, or as the
 * draining node tells them, and catch up as it does (`feed:missed` sent with the connect, else
 * `GET /api/events?after=`).
 */
async function reconnectStorm(
  fleet: ClientFleet,
  senders: PairSenders,
  nodes: NodeProcess[],
  options: { users: number; rate: number; stormSeconds: number; receivers: ActivePair[]; drain: boolean },
) {
  const before = await fleet.resetCounters();
  const victims = before.onNode[1] ?? 0;
  const survivorsBefore = before.onNode.reduce((sum, n, i) => (i === 1 ? sum : sum + n), 0);
  // Node 1 is "the survivor" of every report; with more nodes the others share the returns too.
  const otherSurvivors = Object.fromEntries(nodes.slice(2).map((n, i) => [`survivor${i + 3}`, n.child.pid!]));
  const receiverNode = new Map(options.receivers.map((p) => [p.receiverId, p.node]));
  const statusesBefore = { ...senders.statuses };
  const cpuParts = {
    survivor: nodes[0].child.pid!,
    ...otherSurvivors,
    ...Object.fromEntries(fleet.pids.map((pid, i) => [`clients${i}`, pid])),
  };
  const signal = options.drain ? 'SIGTERM' : 'SIGKILL';
  log(`storm: ${victims} sockets on node 2 (${survivorsBefore} on the others); ${signal} in 3 s`);

  let stopSending = false;
  const sending = (async () => {
    await sleep(3_000);
    return senders.run(options.rate, () => stopSending);
  })();
  await sleep(3_000 + 2_000);
  const admission = async () => {
    const metrics = await scrapeMetrics(nodes[0].url).catch(() => new Map<string, number>());
    return {
      admitted: metrics.get('derbel_socket_handshakes_decided{outcome="admitted"}') ?? NaN,
      refused: metrics.get('derbel_socket_handshakes_decided{outcome="refused"}') ?? NaN,
      perSecond: metrics.get('derbel_socket_handshake_admission_rate') ?? NaN,
    };
  };
  const admissionBefore = await admission();
  // What each node offered to take, how busy it was, and the window its clients were told, just before the kill.
  const offersBeforeKill = await Promise.all(
    nodes.map(async (n) => {
      const metrics = await scrapeMetrics(n.url).catch(() => new Map<string, number>());
      return {
        offerPerSecond: metrics.get('derbel_reconnect_offer_per_second') ?? NaN,
        eventLoopUtilization: round(metrics.get('derbel_event_loop_utilization_smoothed') ?? NaN, 2),
        toldSpreadSeconds: round(metrics.get('derbel_reconnect_spread_seconds') ?? NaN),
      };
    }),
  );
  const admissionRates: number[] = [];
  const cpuBefore = cpuSnapshot(cpuParts);
  const killedAt = machineNow();
  const rssBefore = rssMiB(nodes[0].child.pid!);
  // A drain takes its time (the node moves its sockets, then exits): watched like a crash meanwhile.
  const gone = options.drain ? nodes[1].stop() : nodes[1].kill();
  if (!options.drain) await gone;
  log(`node 2 sent ${signal}`);

  let status: WorkerStatus;
  const timeline: Array<{ s: number; online: number; caughtUp: number; listenOverflows: number }> = [];
  const overflowsAtKill = listenOverflows();
  // At least `stormSeconds`, until everyone is back and caught up, at most 90 s more.
  const deadline = Date.now() + (options.stormSeconds + 90) * 1000;
  let lastLog = Date.now();
  while (Date.now() < deadline) {
    await sleep(500);
    status = await fleet.status();
    admissionRates.push((await admission()).perSecond);
    timeline.push({
      s: round((machineNow() - killedAt) / 1000),
      online: status.online,
      caughtUp: status.caughtUp,
      listenOverflows: listenOverflows() - overflowsAtKill,
    });
    if (Date.now() - lastLog > 10_000) {
      lastLog = Date.now();
      log(
        `storm +${Math.round((machineNow() - killedAt) / 1000)} s: ${status.online - survivorsBefore}/${victims} back, ${status.caughtUp} caught up`,
      );
    }
    if (status.caughtUp >= victims && machineNow() - killedAt > options.stormSeconds * 1000) break;
  }
  await gone;
  const cpuMs = cpuMillisecondsBetween(cpuBefore, cpuSnapshot(cpuParts));
  const admissionAfter = await admission();
  const stormWallSeconds = (machineNow() - killedAt) / 1000;
  stopSending = true;
  const ids = await sending;
  await senders.settle(ids, 30_000);
  status = await fleet.status(true);

  const quantileAfterKill = (times: number[], fraction: number) => {
    const needed = Math.ceil(victims * fraction);
    const sorted = [...times].sort((a, b) => a - b);
    return sorted.length >= needed && needed > 0 ? round((sorted[needed - 1] - killedAt) / 1000, 2) : null;
  };
  const perSecond = Object.entries(status.catchUpsPerSecond)
    .map(([second, count]) => ({ second: Number(second) - Math.floor(killedAt / 1000), count }))
    .sort((a, b) => a.second - b.second);
  const attemptsBySecond = new Map<number, number>();
  for (const at of status.attemptsAt)
    attemptsBySecond.set(Math.floor((at - killedAt) / 1000), (attemptsBySecond.get(Math.floor((at - killedAt) / 1000)) ?? 0) + 1);
  const statusDelta = Object.fromEntries(
    Object.entries(senders.statuses)
      .map(([k, v]) => [k, v - (statusesBefore[k] ?? 0)])
      .filter(([, v]) => (v as number) > 0),
  );
  const result = {
    signal,
    victims,
    survivorsBefore,
    backOnline: status.online - survivorsBefore,
    caughtUp: status.caughtUp,
    secondsUntil: {
      reconnected99: quantileAfterKill(status.reconnectedAt, 0.99),
      reconnected100: quantileAfterKill(status.reconnectedAt, 1),
      caughtUp99: quantileAfterKill(status.caughtUpAt, 0.99),
      caughtUp100: quantileAfterKill(status.caughtUpAt, 1),
    },
    // How long each of them was without a connection (a crash: the spread it was told; a drain: one reconnect).
    awayMs: summarize(status.awayMs),
    // Everyone comes back: each offline change pushed is a flap someone's contacts saw.
    presenceOfflineReceived: status.presenceOfflineReceived,
    handshakeErrors: status.connectErrors,
    catchUpStatuses: status.catchUpStatuses,
    catchUpsPerSecond: { peak: Math.max(0, ...perSecond.map((p) => p.count)), seconds: perSecond },
    handshakeAttemptsPerSecond: [...attemptsBySecond].sort((a, b) => a[0] - b[0]).map(([second, count]) => ({ second, count })),
    offersBeforeKill,
    survivorAdmission: {
      admitted: admissionAfter.admitted - admissionBefore.admitted,
      refusedWithASlot: admissionAfter.refused - admissionBefore.refused,
      lowestRatePerSecond: Math.min(...admissionRates),
      rateEverySecond: admissionRates.filter((_, i) => i % 2 === 0),
    },
    survivorCpuPercentOfOneCore: round(cpuMs.survivor / (stormWallSeconds * 10)),
    ...(nodes.length > 2
      ? {
          otherSurvivorsCpuPercentOfOneCore: Object.fromEntries(
            Object.keys(otherSurvivors).map((k) => [k, round(cpuMs[k] / (stormWallSeconds * 10))]),
          ),
        }
      : {}),
    // The rest of the machine's two cores meanwhile: what the survivor competed with.
    othersCpuPercentOfOneCore: {
      postgres: round(cpuMs.postgres / (stormWallSeconds * 10)),
      redis: round(cpuMs.redis / (stormWallSeconds * 10)),
      clientProcesses: round(fleet.pids.reduce((sum, _, i) => sum + cpuMs[`clients${i}`], 0) / (stormWallSeconds * 10)),
      loadGenerator: round(cpuMs.loadGenerator / (stormWallSeconds * 10)),
    },
    survivorRssMiB: { before: round(rssBefore), after: round(rssMiB(nodes[0].child.pid!)) },
    sendStatuses: statusDelta,
    activePairs: {
      onSurvivor: senders.report(ids, (r) => receiverNode.get(r) !== 1, new Set(status.watchedAway)),
      onKilledNode: senders.report(ids, (r) => receiverNode.get(r) === 1, new Set(status.watchedAway)),
    },
    // Presence events the clients received (one per recipient per batch), and the changes they carried.
    presencePushesReceived: (status.eventsByType.PresenceChanged ?? 0) + (status.eventsByType.PresenceChanges ?? 0),
    presenceChangesReceived: (status.eventsByType.PresenceChanged ?? 0) + (status.eventsByType.presenceChangesInBatches ?? 0),
    // Connections the kernel dropped because a listening socket's accept queue was full (the whole machine).
    listenOverflows: listenOverflows() - overflowsAtKill,
    timeline,
  };
  log(`storm: ${JSON.stringify({ ...result, timeline: undefined, catchUpsPerSecond: { peak: result.catchUpsPerSecond.peak } })}`);
  return result;
}

/** The kernel's count of connections dropped on a full accept queue (`TcpExt: ListenOverflows`), 0 where unknown. */
function listenOverflows(): number {
  try {
    const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n');
    const names = lines.find((l) => l.startsWith('TcpExt:'))?.split(' ') ?? [];
    const values = lines.filter((l) => l.startsWith('TcpExt:'))[1]?.split(' ') ?? [];
    return Number(values[names.indexOf('ListenOverflows')] ?? 0) || 0;
  } catch {
    return 0;
  }
}
