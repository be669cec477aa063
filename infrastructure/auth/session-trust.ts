import type { EventEmitter } from 'node:events';
/** How long a session found active is trusted without asking the database (never past its expiry). */
export const SESSION_TRUST_MS = 30_000;
/** The same while the channel that carries other nodes' sign-outs may have dropped one: the old second. */
export const SESSION_SHORT_TRUST_MS = 1_000;

/**
 * Whether this node can count on hearing of every sign-out made on another node (Socket.io's server-side emit
 * over Redis makes every node forget the session at once). Without Redis there is no other node to hear from.
 * Each disruption (Redis stopped answering, came back, the subscriber's connection closed or reopened) starts a
 * new epoch: an answer from an earlier epoch, or any while the channel is down, is trusted only briefly.
 */
export class SessionTrust {
  private current = 0;

  constructor(private readonly channelUp: () => boolean = () => true) {}

  get epoch() {
    return this.current;
  }

  /** A sign-out may have been missed from here on. */
  disrupted() {
    this.current++;
  }

  /** How long an answer given in `epoch` may be trusted. */
  trustMs(epoch: number) {
    return epoch === this.current && this.channelUp() ? SESSION_TRUST_MS : SESSION_SHORT_TRUST_MS;
  }
}

/**
 * Trust that follows this node's Redis: sign-outs travel on its subscriber connection, so each close and reopen
 * of that connection and each change of Redis's health (`RedisHealth`) is a disruption, and trust stays short
 * while Redis does not answer.
 */
export function sessionTrustOver(redis: { sub: EventEmitter; health: { up: boolean; onChange(listener: (up: boolean) => void): void } }) {
  const trust = new SessionTrust(() => redis.health.up);
  redis.sub.on('close', () => trust.disrupted());
  redis.sub.on('ready', () => trust.disrupted());
  redis.health.onChange(() => trust.disrupted());
  return trust;
}
