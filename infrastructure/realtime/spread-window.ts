/** The longest a node asks its clients to spread their return over (reconnect-spread.ts). */
export const MAX_SPREAD_MS = 60_000;

/**
 * How many reconnects a second the nodes that would take a lost node's clients take together: the balancer shares
 * them among every other live node (at least one: a lone node's clients come back to it, restarted), each at the
 * rate it takes beside its own users.
 */
export function takenPerSecond(perNodePerSecond: number, otherLiveNodes: number) {
  return perNodePerSecond * Math.max(1, otherLiveNodes);
}

/**
 * How widely a node with `sockets` asks its clients to spread their first reconnect attempt if it goes away:
 * its socket count at the rate the other nodes take reconnects (`takenPerSecond`), at most a minute. Told to the clients by
 * reconnect-spread.ts; waited out by the node that reaps a dead one before announcing its users offline.
 */
export function reconnectSpreadMs(sockets: number, reconnectsPerSecond: number) {
  return Math.min(MAX_SPREAD_MS, Math.round((sockets * 1000) / reconnectsPerSecond));
}
