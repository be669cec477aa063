/** The longest a node asks its clients to spread their return over (reconnect-spread.ts). */
export const MAX_SPREAD_MS = 60_000;

/**
 * How widely a node with `sockets` asks its clients to spread their first reconnect attempt if it goes away:
 * its socket count at the rate another node takes reconnects, at most a minute. Told to the clients by
 * reconnect-spread.ts; waited out by the node that reaps a dead one before announcing its users offline.
 */
export function reconnectSpreadMs(sockets: number, reconnectsPerSecond: number) {
  return Math.min(MAX_SPREAD_MS, Math.round((sockets * 1000) / reconnectsPerSecond));
}
