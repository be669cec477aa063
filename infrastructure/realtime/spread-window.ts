/** The longest a node asks its clients to spread their return over (reconnect-spread.ts). */
export const MAX_SPREAD_MS = 60_000;

/**
 * How many reconnects a second the nodes that would take a lost node's clients take together: the balancer shares
 * them among every other live node, so what those offer together (reconnect-capacity.ts, published with their
 * heartbeats); a lone node's clients come back to it, restarted, so then what it offers itself.
 */
export function takenPerSecond(othersPerSecond: number, ownPerSecond: number) {
  return othersPerSecond > 0 ? othersPerSecond : ownPerSecond;
}

/**
 * How widely a node with `sockets` asks its clients to spread their first reconnect attempt if it goes away:
 * its socket count at the rate the other nodes take reconnects (`takenPerSecond`), at most a minute. Told to the clients by
 * reconnect-spread.ts; waited out by the node that reaps a dead one before announcing its users offline.
 */
export function reconnectSpreadMs(sockets: number, reconnectsPerSecond: number) {
  return Math.min(MAX_SPREAD_MS, Math.round((sockets * 1000) / reconnectsPerSecond));
}
