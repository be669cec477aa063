import type { EnvReader } from './env-reader.js';

/** At most `points` actions per fixed window of `seconds` (a burst of `points`, then `points / seconds` a second on average). */
export interface RateLimit {
  points: number;
  seconds: number;
}

/** Limits on what one client can make cost others; see the README's configuration table. */
export interface RateLimits {
  /** Per client address. */
  signUp: RateLimit;
  /** Per client address and username: guessing one account's password. */
  signInPerAccount: RateLimit;
  /** Failed sign-ins per client address across usernames: password spraying. */
  signInPerAddress: RateLimit;
  /** Per user. */
  messages: RateLimit;
  /** Edits and deletes, per user. */
  edits: RateLimit;
  contactAdds: RateLimit;
  /** Meetings started, per caller and callee. */
  rings: RateLimit;
  searches: RateLimit;
  /** Attachments uploaded, per user. */
  uploads: RateLimit;
  /** Every event a socket sends, per socket. */
  socketEvents: RateLimit;
  maxSocketsPerUser: number;
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600 };
const LIMIT = /^([1-9]\d{0,8})\/([1-9]\d{0,5})(s|m|h)$/;
const LIMIT_DESCRIPTION = '<count>/<window> like 30/6s, 20/1m or 1/1h';

/** Defaults: generous for a person (and the web app), tight for a script. */
export function readRateLimits(read: EnvReader): RateLimits {
  const limit = (value: string | undefined, fallback: string) => parseRateLimit(value ?? fallback)!;
  return {
    signUp: limit(read.matching('RATE_LIMIT_SIGN_UP', LIMIT, LIMIT_DESCRIPTION), '20/1m'),
    signInPerAccount: limit(read.matching('RATE_LIMIT_SIGN_IN', LIMIT, LIMIT_DESCRIPTION), '10/1m'),
    signInPerAddress: limit(read.matching('RATE_LIMIT_FAILED_SIGN_INS_PER_ADDRESS', LIMIT, LIMIT_DESCRIPTION), '20/10m'),
    messages: limit(read.matching('RATE_LIMIT_MESSAGES', LIMIT, LIMIT_DESCRIPTION), '30/6s'),
    edits: limit(read.matching('RATE_LIMIT_EDITS', LIMIT, LIMIT_DESCRIPTION), '30/10s'),
    contactAdds: limit(read.matching('RATE_LIMIT_CONTACT_ADDS', LIMIT, LIMIT_DESCRIPTION), '20/1m'),
    rings: limit(read.matching('RATE_LIMIT_RINGS', LIMIT, LIMIT_DESCRIPTION), '3/30s'),
    searches: limit(read.matching('RATE_LIMIT_SEARCHES', LIMIT, LIMIT_DESCRIPTION), '60/10s'),
    uploads: limit(read.matching('RATE_LIMIT_UPLOADS', LIMIT, LIMIT_DESCRIPTION), '60/1m'),
    socketEvents: limit(read.matching('RATE_LIMIT_SOCKET_EVENTS', LIMIT, LIMIT_DESCRIPTION), '100/5s'),
    maxSocketsPerUser: read.integer('MAX_SOCKETS_PER_USER', { min: 1, max: 10_000 }, 20),
  };
}

export function parseRateLimit(value: string): RateLimit | null {
  const match = LIMIT.exec(value);
  return match ? { points: Number(match[1]), seconds: Number(match[2]) * UNIT_SECONDS[match[3]] } : null;
}
