import { readFileSync } from 'node:fs';

/**
 * Descriptors a node keeps for itself beyond its client connections: the database pool, Redis, log and
 * upload files, the listening socket. A node at its open-files limit can no longer open any of them, so
 * the database pool's next connection fails with EMFILE and a request that had nothing to do with the
 * crowd answers 500. A node uses a few dozen itself (up to 20 database connections, Redis, stdio, epoll, the listener);
 * 256 turned away a few hundred of a storm's clients a 20,000-descriptor node could have taken (BENCHMARKS.md).
 */
export const RESERVED_DESCRIPTORS = 128;

/** The process's soft open-files limit (Linux: /proc/self/limits), or null where it cannot be read. */
export function openFilesLimit(limitsFile = '/proc/self/limits'): number | null {
  let text: string;
  try {
    text = readFileSync(limitsFile, 'utf8');
  } catch {
    return null;
  }
  const soft = /^Max open files\s+(\d+|unlimited)\s/m.exec(text)?.[1];
  return soft === undefined || soft === 'unlimited' ? null : Number(soft);
}

/**
 * The most client connections (HTTP and sockets) the node holds at once: `MAX_CONNECTIONS` if set, else the
 * open-files limit less the descriptors it needs for itself. Past it, Node closes a new connection at once
 * (the client retries elsewhere or later) instead of accepting until `accept` fails with EMFILE.
 */
export function connectionCeiling(configured: number | undefined, limit: number | null): number | undefined {
  if (configured !== undefined) return configured;
  if (limit === null) return undefined;
  return Math.max(1, limit - RESERVED_DESCRIPTORS);
}
