/** Which users have at least one live socket, across all nodes. */
export interface PresenceRegistry {
  /** Returns how many live sockets the user has now, this one included (1: the user just came online). */
  connect(userId: string, socketId: string): Promise<number>;
  /** Returns true when that was the user's last live socket. */
  disconnect(userId: string, socketId: string): Promise<boolean>;
  onlineAmong(userIds: string[]): Promise<Set<string>>;
  /** Like `onlineAmong`, but rejects when it cannot be known (instead of answering "nobody"). */
  onlineNow(userIds: string[]): Promise<Set<string>>;
  /** What was last announced to contacts for each user (by any node), when known. */
  lastAnnounced(userIds: string[]): Promise<Map<string, boolean>>;
  recordAnnounced(changes: Array<{ userId: string; online: boolean }>): Promise<void>;
  /** How many other nodes are live (they share this node's clients should it go away). */
  otherLiveNodes(): number;
  /** The reconnects a second they offer together (`perNodeFallback` for a node that makes no offer). */
  othersReconnectsPerSecond(perNodeFallback: number): number;
  /** The highest utilization (0–1) another live node published (undefined when none did). */
  othersBusiestUtilization(): number | undefined;
  /**
   * `leaveForReap`: sockets this node has not removed (a drain sent them off to spread their return) stay
   * registered for another node to reap as a dead node's.
   */
  close(options?: { leaveForReap?: boolean }): void;
}

/** One node, no Redis: presence is simply this process's sockets. */
export class MemoryPresence implements PresenceRegistry {
  private readonly sockets = new Map<string, Set<string>>();
  private readonly announced = new Map<string, boolean>();

  async connect(userId: string, socketId: string) {
    const set = this.sockets.get(userId) ?? new Set();
    this.sockets.set(userId, set);
    set.add(socketId);
    return set.size;
  }
  async disconnect(userId: string, socketId: string) {
    const set = this.sockets.get(userId);
    if (!set?.delete(socketId)) return false;
    if (set.size === 0) this.sockets.delete(userId);
    return set.size === 0;
  }
  async onlineAmong(userIds: string[]) {
    return new Set(userIds.filter((id) => this.sockets.has(id)));
  }
  onlineNow(userIds: string[]) {
    return this.onlineAmong(userIds);
  }
  async lastAnnounced(userIds: string[]) {
    return new Map(userIds.filter((id) => this.announced.has(id)).map((id) => [id, this.announced.get(id)!]));
  }
  async recordAnnounced(changes: Array<{ userId: string; online: boolean }>) {
    for (const { userId, online } of changes) {
      if (online) this.announced.set(userId, true);
      else this.announced.delete(userId);
    }
  }
  otherLiveNodes() {
    return 0;
  }
  othersReconnectsPerSecond() {
    return 0;
  }
  othersBusiestUtilization() {
    return undefined;
  }
  close() {}
}
