import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { RedisNames } from '../redis/redis-names.js';

/** A node that has not beaten for this long is dead; its sockets are removed and announced offline. */
export const HEARTBEAT_TTL_MS = 10_000;
const BEAT_EVERY_MS = 2_000;

/**
 * What a node publishes with each heartbeat: the reconnects a second it would take should another node die
 * (reconnect-capacity.ts), the longest window it has told its own clients to spread their return over, and how
 * busy its users keep it (its event loop's smoothed utilization, 0–1).
 */
export interface NodeOffer {
  reconnectsPerSecond: number;
  spreadMs: number;
  utilization: number;
}

export interface NodeLivenessOptions {
  redis: Redis;
  names: Pick<RedisNames, 'nodes' | 'nodeHeartbeat'>;
  /** This process: a restarted node is a new instance, so its predecessor's sockets are still reaped. */
  instanceId: string;
  /** Read at each beat; without it (or when it gives none) the heartbeat says only that the node lives. */
  offer?(): NodeOffer | undefined;
  /**
   * Removes a dead instance's sockets (called on exactly one node per dead instance), with its last offer seen
   * (none if this node never saw it beat).
   */
  reap(deadInstanceId: string, lastOffer: NodeOffer | undefined): Promise<void>;
  /** This instance had been taken for dead (a Redis partition or restart): its sockets must be written again. */
  reRegister(): Promise<void>;
  log: Logger;
}

/**
 * Each node instance keeps a heartbeat key with a short expiry and its name in the deployment's node set.
 * Every beat, it also looks for members whose heartbeat expired (a SIGKILL, a crash, a network cut): the
 * node whose SREM removes one reaps it, so a dead node's users go offline within TTL + one beat.
 */
export class NodeLiveness {
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private beaten = false;
  /** Other instances whose heartbeat was live at the last look, with their offer (null: a node that makes none). */
  private liveOthers: Array<NodeOffer | null> = [];
  /** Each live instance's last offer seen: what a dead one had told its clients outlives its heartbeat. */
  private readonly lastOffers = new Map<string, NodeOffer>();

  constructor(private readonly options: NodeLivenessOptions) {}

  /** How many other nodes were beating at the last look (every beat): those that would take this node's sockets. */
  otherLiveNodes() {
    return this.liveOthers.length;
  }

  /** The reconnects a second the other live nodes offer together (`perNodeFallback` for one that makes no offer). */
  othersReconnectsPerSecond(perNodeFallback: number) {
    return this.liveOthers.reduce((sum, offer) => sum + (offer?.reconnectsPerSecond ?? perNodeFallback), 0);
  }

  /** The highest utilization another live node published (undefined when none did). */
  othersBusiestUtilization() {
    const known = this.liveOthers.flatMap((offer) => (offer ? [offer.utilization] : []));
    return known.length > 0 ? Math.max(...known) : undefined;
  }

  start() {
    void this.tick();
    this.timer = setInterval(() => void this.tick(), BEAT_EVERY_MS);
    this.timer.unref();
  }

  /**
   * Its sockets were disconnected (and removed) before this: it leaves the node set. With `leaveForReap` some
   * were left registered on purpose: it stays in the set without a heartbeat, so another node reaps it at
   * its next beat. (Without these writes the heartbeat's expiry does either.)
   */
  stop({ leaveForReap = false }: { leaveForReap?: boolean } = {}) {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const { redis, names, instanceId } = this.options;
    const writes = redis.multi().del(names.nodeHeartbeat(instanceId));
    if (!leaveForReap) writes.srem(names.nodes, instanceId);
    void writes.exec().catch(() => {});
  }

  private async tick() {
    if (this.running) return; // a Redis that hangs must not pile up ticks
    this.running = true;
    try {
      const started = Date.now();
      await this.beat();
      // A late answer means Redis hung for this node too: the others' beats may still be on their way.
      if (Date.now() - started < BEAT_EVERY_MS / 2) await this.reapTheDead();
    } catch (err) {
      this.options.log.warn({ err }, 'node liveness: redis did not answer');
    } finally {
      this.running = false;
    }
  }

  private async beat() {
    const { redis, names, instanceId } = this.options;
    const [, [, added]] = (await redis
      .multi()
      .set(names.nodeHeartbeat(instanceId), encodeOffer(this.options.offer?.()), 'PX', HEARTBEAT_TTL_MS)
      .sadd(names.nodes, instanceId)
      .exec()) as [unknown, [unknown, number]];
    if (added === 1 && this.beaten) await this.options.reRegister();
    this.beaten = true;
  }

  private async reapTheDead() {
    const { redis, names, instanceId } = this.options;
    const others = (await redis.smembers(names.nodes)).filter((member) => member !== instanceId);
    const beats =
      others.length === 0 ? [] : ((await redis.pipeline(others.map((member) => ['get', names.nodeHeartbeat(member)])).exec()) ?? []);
    const heartbeat = (i: number) => beats[i]?.[1];
    this.liveOthers = [];
    for (const [i, member] of others.entries()) {
      const value = heartbeat(i);
      if (typeof value !== 'string') continue;
      const offer = decodeOffer(value);
      if (offer) this.lastOffers.set(member, offer);
      this.liveOthers.push(offer);
    }
    for (const member of this.lastOffers.keys()) if (!others.includes(member)) this.lastOffers.delete(member);
    for (const [i, member] of others.entries()) {
      if (typeof heartbeat(i) === 'string') continue;
      if ((await redis.srem(names.nodes, member)) !== 1) continue; // another node reaps it
      this.options.log.warn({ node: member }, 'node liveness: a node stopped beating; removing its sockets');
      const lastOffer = this.lastOffers.get(member);
      this.lastOffers.delete(member);
      await this.options.reap(member, lastOffer);
    }
  }
}

/** `reconnects a second/spread ms/utilization in thousandths`, or `1` (alive, no offer). */
function encodeOffer(offer: NodeOffer | undefined) {
  if (!offer) return '1';
  return `${Math.round(offer.reconnectsPerSecond)}/${Math.round(offer.spreadMs)}/${Math.round(offer.utilization * 1000)}`;
}

/** Null for a heartbeat without an offer (`'1'`, from a node of an earlier version). */
function decodeOffer(heartbeat: string): NodeOffer | null {
  const match = /^(\d+)\/(\d+)\/(\d+)$/.exec(heartbeat);
  return match ? { reconnectsPerSecond: Number(match[1]), spreadMs: Number(match[2]), utilization: Number(match[3]) / 1000 } : null;
}
