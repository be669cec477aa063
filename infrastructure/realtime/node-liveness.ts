import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { RedisNames } from '../redis/redis-names.js';

/** A node that has not beaten for this long is dead; its sockets are removed and announced offline. */
export const HEARTBEAT_TTL_MS = 10_000;
const BEAT_EVERY_MS = 2_000;

export interface NodeLivenessOptions {
  redis: Redis;
  names: Pick<RedisNames, 'nodes' | 'nodeHeartbeat'>;
  /** This process: a restarted node is a new instance, so its predecessor's sockets are still reaped. */
  instanceId: string;
  /** Removes a dead instance's sockets (called on exactly one node per dead instance). */
  reap(deadInstanceId: string): Promise<void>;
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
  /** Other instances whose heartbeat was live at the last look. */
  private liveOthers = 0;

  constructor(private readonly options: NodeLivenessOptions) {}

  /** How many other nodes were beating at the last look (every beat): those that would take this node's sockets. */
  otherLiveNodes() {
    return this.liveOthers;
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
      .set(names.nodeHeartbeat(instanceId), '1', 'PX', HEARTBEAT_TTL_MS)
      .sadd(names.nodes, instanceId)
      .exec()) as [unknown, [unknown, number]];
    if (added === 1 && this.beaten) await this.options.reRegister();
    this.beaten = true;
  }

  private async reapTheDead() {
    const { redis, names, instanceId } = this.options;
    const others = (await redis.smembers(names.nodes)).filter((member) => member !== instanceId);
    const alive =
      others.length === 0 ? [] : ((await redis.pipeline(others.map((member) => ['exists', names.nodeHeartbeat(member)])).exec()) ?? []);
    this.liveOthers = alive.filter(([, exists]) => Number(exists) === 1).length;
    for (const [i, member] of others.entries()) {
      if (Number(alive[i]?.[1]) === 1) continue;
      if ((await redis.srem(names.nodes, member)) !== 1) continue; // another node reaps it
      this.options.log.warn({ node: member }, 'node liveness: a node stopped beating; removing its sockets');
      await this.options.reap(member);
    }
  }
}
