import type { Redis } from 'ioredis';

/**
 * The presence registry's bulk writes as Lua scripts: one command for a slice of sockets instead of three to
 * eight per socket. As pipelines, a slice of 1,000 sockets cost a node ~100 ms of CPU on this machine (a
 * command object, a promise and a parsed reply each), a task that held its users' messages, every 20 s
 * for the refresh and at the start of a storm for the reap. A script runs atomically, so each socket's
 * writes are at least as isolated as in the transaction of its own they had.
 *
 * Every script takes KEYS = [the node instance's socket hash?, …one presence key per socket] and ARGV =
 * [settings…, …the sockets], in the same order as the keys.
 */
const SCRIPTS = {
  /** KEYS: hash, users' keys. ARGV: now, ttl, then socketId, userId per key. Answers each user's live socket count. */
  presenceRegister: `local now = tonumber(ARGV[1])
local ttl = tonumber(ARGV[2])
local counts = {}
for i = 2, #KEYS do
  local socketId, userId = ARGV[2 * i - 1], ARGV[2 * i]
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now)
  redis.call('ZADD', KEYS[i], now + ttl, socketId)
  counts[i - 1] = redis.call('ZCARD', KEYS[i])
  redis.call('PEXPIRE', KEYS[i], ttl)
  redis.call('HSET', KEYS[1], socketId, userId)
end
redis.call('PEXPIRE', KEYS[1], ttl)
return counts`,
  /** KEYS: hash, users' keys. ARGV: expiry, ttl, then socketId, userId per key. */
  presenceRefresh: `local ttl = tonumber(ARGV[2])
for i = 2, #KEYS do
  local socketId, userId = ARGV[2 * i - 1], ARGV[2 * i]
  redis.call('ZADD', KEYS[i], ARGV[1], socketId)
  redis.call('PEXPIRE', KEYS[i], ttl)
  redis.call('HSET', KEYS[1], socketId, userId)
end
redis.call('PEXPIRE', KEYS[1], ttl)
return #KEYS - 1`,
  /** KEYS: users' keys. ARGV: now, then socketId per key. Answers 1 for each user left without a live socket. */
  presenceReap: `local now = tonumber(ARGV[1])
local offline = {}
for i = 1, #KEYS do
  local removed = redis.call('ZREM', KEYS[i], ARGV[i + 1])
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now)
  local count = redis.call('ZCARD', KEYS[i])
  offline[i] = (removed == 1 and count == 0) and 1 or 0
end
return offline`,
} as const;

type ScriptCall = (numberOfKeys: number, ...keysThenArgs: Array<string | number>) => Promise<number[] | number>;

/** The scripts, defined on `redis` once (ioredis sends each by its SHA and reloads it after a Redis restart). */
export function presenceScripts(redis: Redis) {
  const scripted = redis as unknown as Record<keyof typeof SCRIPTS, ScriptCall | undefined>;
  for (const [name, lua] of Object.entries(SCRIPTS)) if (!scripted[name as keyof typeof SCRIPTS]) redis.defineCommand(name, { lua });
  const call = async (name: keyof typeof SCRIPTS, keys: string[], args: Array<string | number>) => {
    // In a pipeline of its own: sent at once, so in call order with a disconnect's transaction. Called alone on a
    // node's auto-pipelining connection, it would wait for the next turn and a disconnect sent meanwhile would
    // overtake it (its socket then written back for a TTL: a ghost never announced offline).
    const pipeline = redis.pipeline();
    (pipeline as unknown as Record<keyof typeof SCRIPTS, ScriptCall>)[name](keys.length, ...keys, ...args);
    const [[err, answer]] = (await pipeline.exec()) as Array<[Error | null, number[] | number]>;
    if (err) throw err;
    return answer;
  };
  return {
    /** Each socket's user's live socket count after adding it. */
    register: (hash: string, now: number, ttlMs: number, sockets: ReadonlyArray<{ userId: string; socketId: string; key: string }>) =>
      call(
        'presenceRegister',
        [hash, ...sockets.map((s) => s.key)],
        [now, ttlMs, ...sockets.flatMap((s) => [s.socketId, s.userId])],
      ) as Promise<number[]>,
    refresh: (hash: string, expiry: number, ttlMs: number, sockets: ReadonlyArray<{ userId: string; socketId: string; key: string }>) =>
      call(
        'presenceRefresh',
        [hash, ...sockets.map((s) => s.key)],
        [expiry, ttlMs, ...sockets.flatMap((s) => [s.socketId, s.userId])],
      ) as Promise<number>,
    /** For each socket, whether its user has no live socket left. */
    reap: async (now: number, sockets: ReadonlyArray<{ socketId: string; key: string }>) =>
      (
        (await call(
          'presenceReap',
          sockets.map((s) => s.key),
          [now, ...sockets.map((s) => s.socketId)],
        )) as number[]
      ).map((offline) => offline === 1),
  };
}

export type PresenceScripts = ReturnType<typeof presenceScripts>;
