import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { batchedPerTick } from '../lifecycle/batched-per-tick.js';
import { inSlices, STOP_SLICES } from '../lifecycle/in-slices.js';
import { bounded } from '../redis/bounded.js';
import type { RedisNames } from '../redis/redis-names.js';
import { NodeLiveness, type NodeOffer } from './node-liveness.js';
import { presenceScripts, type PresenceScripts } from './presence-scripts.js';
import type { PresenceRegistry } from './presence.js';

/** The backstop: a socket entry nobody refreshes (its node and every other node gone) expires after this. */
const TTL_MS = 60_000;
/** Every socket's expiry is pushed a TTL ahead this often. */
const REFRESH_EVERY_MS = TTL_MS / 3;
/** Long enough to outlast any storm; a user unseen for a day is announced again, whatever was said before. */
const ANNOUNCED_TTL_MS = 24 * 3600_000;
/**
 * The refresh, the reap and the re-registration write at most this many sockets per script, each answered before
 * the next is sent: 20,000 sockets in one pipeline were one task of ~250 ms building it and ~300 ms collecting
 * its garbage; a script of 1,000 keeps Redis busy ~1–3 ms.
 */
export const PRESENCE_SLICE = 1_000;

export interface Reaped {
  deadInstanceSockets: number;
  toldSpreadMs?: number;
}

export interface RedisPresenceOptions {
  names: Pick<RedisNames, 'presence' | 'nodes' | 'nodeHeartbeat' | 'nodeSockets'>;
  nodeId: string;
  /**
   * Users whose last socket was on a node that died (offline; `reaped` says how many sockets that node
   * instance held, and the window it had told its clients to spread their return over, when seen), or whose
   * sockets on this node had been taken for a dead node's and are back (online): announced by the caller.
   */
  onTransition(userIds: string[], online: boolean, reaped?: Reaped): void;
  /** What this node publishes with its heartbeat (node-liveness.ts). */
  offer?(): NodeOffer | undefined;
  /** A request-path call that Redis did not answer in time. */
  onFallback?(call: string): void;
  /**
   * A refresh pass's slices start evenly over this window (default: half the refresh period). All at once, the
   * 10 pipelines of a node holding 10,000 sockets held its messages (and the other node's, sharing Redis) for
   * ~0.5 s every 20 s.
   */
  refreshSpreadMs?: number;
  /** False while Redis is known not to answer (redis-health.ts): request-path calls do not even wait. */
  redisUp?(): boolean;
  log: Logger;
}

/**
 * Several nodes: each user's live sockets are a Redis sorted set scored by expiry, and each node instance
 * lists the sockets it holds under its own key. A node that stops beating (node-liveness.ts) is reaped by
 * another: its sockets leave their users' sets, and users left with none are announced offline.
 */
export class RedisPresence implements PresenceRegistry {
  private readonly local = new Map<string, string>(); // socketId → userId
  /** Connects whose registration is not answered yet: a disconnect of one waits for it. */
  private readonly registering = new Map<string, Promise<number>>();
  private refreshing = false;
  private closed = false;
  private readonly timer: NodeJS.Timeout;
  private readonly instanceId: string;
  private readonly liveness: NodeLiveness;
  private readonly scripts: PresenceScripts;
  /** The connects of one turn of the event loop: one write to Redis (a storm's handshakes arrive together). */
  private readonly register = batchedPerTick((sockets: Array<{ userId: string; socketId: string }>) => this.registerAll(sockets));
  /** The disconnects of one turn (a drain's paced moves, a network going down under many people): one transaction. */
  private readonly unregister = batchedPerTick((sockets: Array<{ userId: string; socketId: string }>) => this.unregisterAll(sockets));

  constructor(
    private readonly redis: Redis,
    private readonly options: RedisPresenceOptions,
  ) {
    this.scripts = presenceScripts(redis);
    this.instanceId = `${options.nodeId}:${randomBytes(4).toString('hex')}`;
    this.timer = setInterval(() => void this.refresh().catch(() => {}), REFRESH_EVERY_MS);
    this.timer.unref();
    this.liveness = new NodeLiveness({
      redis,
      names: options.names,
      instanceId: this.instanceId,
      offer: options.offer,
      reap: (dead, lastOffer) => this.reap(dead, lastOffer),
      reRegister: () => this.reRegister(),
      log: options.log,
    });
    this.liveness.start();
  }

  private key(userId: string) {
    return this.options.names.presence(userId);
  }

  async connect(userId: string, socketId: string) {
    this.local.set(socketId, userId);
    const registered = this.register({ userId, socketId });
    this.registering.set(socketId, registered);
    return registered.finally(() => this.registering.get(socketId) === registered && this.registering.delete(socketId));
  }

  /** The connects of one turn in one script (each socket's writes as if alone: scripts run atomically). */
  private async registerAll(sockets: Array<{ userId: string; socketId: string }>): Promise<Array<PromiseSettledResult<number>>> {
    const mine = this.options.names.nodeSockets(this.instanceId);
    try {
      const counts = await this.scripts.register(mine, Date.now(), TTL_MS, this.keyed(sockets));
      return counts.map((value) => ({ status: 'fulfilled', value }));
    } catch (reason) {
      return sockets.map(() => ({ status: 'rejected', reason }));
    }
  }

  private keyed<T extends { userId: string }>(sockets: readonly T[]) {
    return sockets.map((socket) => ({ ...socket, key: this.key(socket.userId) }));
  }

  async disconnect(userId: string, socketId: string) {
    this.local.delete(socketId);
    // Closed before its registration was sent (it waits for the end of the turn): removed after it, not before.
    await this.registering.get(socketId)?.catch(() => {});
    return this.unregister({ userId, socketId });
  }

  /**
   * Whether each socket was its user's last live one. One transaction per `PRESENCE_SLICE` sockets (a node closing
   * all its sockets at once would otherwise hold Redis for one long transaction): each socket's commands run after
   * the ones before, so two sockets of one user closing together count as they would one by one.
   */
  private async unregisterAll(sockets: Array<{ userId: string; socketId: string }>): Promise<Array<PromiseSettledResult<boolean>>> {
    const now = Date.now();
    const mine = this.options.names.nodeSockets(this.instanceId);
    const slices = [];
    for (let from = 0; from < sockets.length; from += PRESENCE_SLICE) {
      const transaction = this.redis.multi();
      for (const { userId, socketId } of sockets.slice(from, from + PRESENCE_SLICE)) {
        const key = this.key(userId);
        transaction.zrem(key, socketId).zremrangebyscore(key, '-inf', now).zcard(key).hdel(mine, socketId);
      }
      slices.push(transaction.exec() as Promise<Array<[Error | null, number]>>);
    }
    const results = (await Promise.all(slices)).flat();
    return sockets.map((_, i) => {
      const [[failed, removed], , [, count]] = results.slice(i * 4, i * 4 + 4);
      return failed ? { status: 'rejected', reason: failed } : { status: 'fulfilled', value: removed === 1 && count === 0 };
    });
  }

  async onlineAmong(userIds: string[]) {
    if (userIds.length === 0) return new Set<string>();
    if (this.options.redisUp?.() === false) {
      this.options.onFallback?.('presence');
      return new Set<string>();
    }
    const now = Date.now();
    const pipeline = this.redis.pipeline();
    for (const id of userIds) pipeline.zcount(this.key(id), now, '+inf');
    // Asked while answering a request (the contact list): a Redis that does not answer shows everyone offline.
    const results = (await bounded(pipeline.exec(), null, { onTimeout: () => this.options.onFallback?.('presence') })) ?? [];
    return new Set(userIds.filter((_, i) => Number(results[i]?.[1] ?? 0) > 0));
  }

  async onlineNow(userIds: string[]) {
    if (userIds.length === 0) return new Set<string>();
    const now = Date.now();
    const pipeline = this.redis.pipeline();
    for (const id of userIds) pipeline.zcount(this.key(id), now, '+inf');
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([err]) => err);
    if (failed || results.length !== userIds.length) throw failed?.[0] ?? new Error('presence: no answer');
    return new Set(userIds.filter((_, i) => Number(results[i][1]) > 0));
  }

  async lastAnnounced(userIds: string[]) {
    if (userIds.length === 0) return new Map<string, boolean>();
    const values = await this.redis.mget(userIds.map((id) => this.announcedKey(id)));
    const known = new Map<string, boolean>();
    userIds.forEach((id, i) => values[i] !== null && known.set(id, values[i] === '1'));
    return known;
  }

  async recordAnnounced(changes: Array<{ userId: string; online: boolean }>) {
    if (changes.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const { userId, online } of changes) pipeline.set(this.announcedKey(userId), online ? '1' : '0', 'PX', ANNOUNCED_TTL_MS);
    await pipeline.exec();
  }

  /** What contacts were last told about the user (presence-announcer.ts): one key per user, shared by the nodes. */
  private announcedKey(userId: string) {
    return `${this.key(userId)}:announced`;
  }

  /** Removes a dead instance's sockets; each user left without a socket is announced offline once. */
  private async reap(deadInstanceId: string, lastOffer: NodeOffer | undefined) {
    const theirs = this.options.names.nodeSockets(deadInstanceId);
    const reaped: Reaped = { deadInstanceSockets: await this.redis.hlen(theirs), toldSpreadMs: lastOffer?.spreadMs };
    // Read a slice at a time as well (HGETALL of a 10,000-socket node was one reply of ~20–40 ms to take in). HSCAN
    // gives every entry there throughout at least once, maybe twice (skipped); one a node taken for dead writes
    // meanwhile is gone with the hash below either way, and that node writes its sockets back (reRegister).
    const seen = new Set<string>();
    const pending: Array<[string, string]> = [];
    let cursor = '0';
    do {
      const [next, flat] = await this.redis.hscan(theirs, cursor, 'COUNT', PRESENCE_SLICE);
      cursor = next;
      for (let i = 0; i < flat.length; i += 2) {
        if (seen.has(flat[i])) continue;
        seen.add(flat[i]);
        pending.push([flat[i], flat[i + 1]]);
      }
      while (pending.length >= PRESENCE_SLICE || (cursor === '0' && pending.length > 0))
        await this.reapSlice(pending.splice(0, PRESENCE_SLICE), reaped);
    } while (cursor !== '0');
    await this.redis.del(theirs);
  }

  private async reapSlice(slice: Array<[string, string]>, reaped: Reaped) {
    // A disconnect of the user's last live socket on another node runs before or after a slice's script, so it
    // either sees this entry gone (and announces) or left (and this announces). On an error the rest expire with
    // their TTL.
    const offline = await this.scripts.reap(
      Date.now(),
      slice.map(([socketId, userId]) => ({ socketId, key: this.key(userId) })),
    );
    const wentOffline = slice.filter((_, i) => offline[i]).map(([, userId]) => userId);
    // Announced slice by slice (each waits out its grace in the announcer before anything is pushed).
    if (wentOffline.length > 0) this.options.onTransition(wentOffline, false, reaped);
  }

  /**
   * After this node was reaped (cut off from Redis for longer than the heartbeat): its sockets come back, each in
   * its own transaction as on connect, a slice's in one pipeline (was one round trip per socket, in a row).
   */
  private async reRegister() {
    const back = new Set<string>();
    await inSlices([...this.local], PRESENCE_SLICE, async (slice) => {
      const results = await this.registerAll(slice.map(([socketId, userId]) => ({ userId, socketId })));
      // The user's only live socket now: they had been announced offline with the reap.
      results.forEach((result, i) => result.status === 'fulfilled' && result.value === 1 && back.add(slice[i][1]));
    });
    if (back.size > 0) this.options.onTransition([...back], true);
  }

  /** Pushes the expiry of this node's sockets a TTL ahead, a slice at a time spread over a window. */
  private async refresh() {
    if (this.local.size === 0 || this.refreshing) return;
    this.refreshing = true;
    try {
      const mine = this.options.names.nodeSockets(this.instanceId);
      const spreadOverMs = this.options.refreshSpreadMs ?? REFRESH_EVERY_MS / 2;
      await inSlices(
        [...this.local],
        PRESENCE_SLICE,
        async (slice) => {
          if (this.closed) return STOP_SLICES;
          // Closed while an earlier slice was on its way: its disconnect removed it; writing it back would
          // leave a ghost for a TTL. (One closed after this is queued behind this script, as before.)
          const live = slice.filter(([socketId, userId]) => this.local.get(socketId) === userId);
          await this.scripts.refresh(
            mine,
            Date.now() + TTL_MS,
            TTL_MS,
            this.keyed(live.map(([socketId, userId]) => ({ socketId, userId }))),
          );
        },
        { spreadOverMs },
      );
    } finally {
      this.refreshing = false;
    }
  }

  otherLiveNodes() {
    return this.liveness.otherLiveNodes();
  }

  othersReconnectsPerSecond(perNodeFallback: number) {
    return this.liveness.othersReconnectsPerSecond(perNodeFallback);
  }

  othersBusiestUtilization() {
    return this.liveness.othersBusiestUtilization();
  }

  close({ leaveForReap = false }: { leaveForReap?: boolean } = {}) {
    this.closed = true;
    clearInterval(this.timer);
    this.liveness.stop({ leaveForReap: leaveForReap && this.local.size > 0 });
  }
}
