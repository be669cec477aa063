/**
 * Every Redis key and channel of one deployment, under its prefix. Pub/sub ignores the database number,
 * so two deployments sharing a Redis server are kept apart by names alone.
 */
export interface RedisNames {
  prefix: string;
  /** The feed fan-out: one message per committed batch (realtime/feed-fanout.ts). */
  feedChannel: string;
  /** The highest feed position the projection leader has published (lifecycle/feed-resync.ts). */
  feedPushed: string;
  /** `@socket.io/redis-adapter`'s channel prefix. */
  adapterKey: string;
  /** Prepended by ioredis to every key of the rate limiter's connection. */
  rateLimitKeyPrefix: string;
  /** A user's live sockets (realtime/presence.ts). */
  presence(userId: string): string;
  /** The node instances that registered (realtime/node-liveness.ts). */
  nodes: string;
  /** Exists while the node instance beats. */
  nodeHeartbeat(instanceId: string): string;
  /** Socket id → user id of the sockets a node instance holds. */
  nodeSockets(instanceId: string): string;
}

export function redisNames(prefix: string): RedisNames {
  return {
    prefix,
    feedChannel: `${prefix}:feed`,
    feedPushed: `${prefix}:feed:pushed`,
    adapterKey: `${prefix}:socket.io`,
    rateLimitKeyPrefix: `${prefix}:`,
    presence: (userId) => `${prefix}:presence:${userId}`,
    nodes: `${prefix}:nodes`,
    nodeHeartbeat: (instanceId) => `${prefix}:node:${instanceId}:heartbeat`,
    nodeSockets: (instanceId) => `${prefix}:node:${instanceId}:sockets`,
  };
}
