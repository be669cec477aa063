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
  /** Per client address across usernames: password spraying. */
  signInPerAddress: RateLimit;
  /** Per user. */
  messages: RateLimit;
  /** Edits and deletes, per user. */
  edits: RateLimit;
  contactAdds: RateLimit;
  /** Meetings started, per caller and callee. */
  rings: RateLimit;
  searches: RateLimit;
  /** Every event a socket sends, per socket. */
  socketEvents: RateLimit;
  maxSocketsPerUser: number;
}

/** Environment variable, default: generous for a person (and the web app), tight for a script. */
export const RATE_LIMIT_VARIABLES: Record<keyof Omit<RateLimits, 'maxSocketsPerUser'>, [string, string]> = {
  signUp: ['RATE_LIMIT_SIGN_UP', '20/1m'],
  signInPerAccount: ['RATE_LIMIT_SIGN_IN', '10/1m'],
  signInPerAddress: ['RATE_LIMIT_SIGN_IN_PER_ADDRESS', '20/1m'],
  messages: ['RATE_LIMIT_MESSAGES', '30/6s'],
  edits: ['RATE_LIMIT_EDITS', '30/10s'],
  contactAdds: ['RATE_LIMIT_CONTACT_ADDS', '20/1m'],
  rings: ['RATE_LIMIT_RINGS', '3/30s'],
  searches: ['RATE_LIMIT_SEARCHES', '30/10s'],
  socketEvents: ['RATE_LIMIT_SOCKET_EVENTS', '100/5s'],
};

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600 };
const LIMIT = /^(\d{1,9})\/(\d{1,6})(s|m|h)$/;

export function readRateLimits(read: EnvReader): RateLimits {
  const limits = { maxSocketsPerUser: read.integer('MAX_SOCKETS_PER_USER', { min: 1, max: 10_000 }, 20) } as RateLimits;
  for (const [key, [name, fallback]] of Object.entries(RATE_LIMIT_VARIABLES) as Array<[keyof typeof RATE_LIMIT_VARIABLES, [string, string]]>) {
    limits[key] = parseRateLimit(read.raw(name) ?? fallback) ?? (read.problem(`${name} must be <count>/<window> like 30/6s, 20/1m or 1/1h, got "${read.raw(name)}"`), parseRateLimit(fallback)!);
  }
  return limits;
}

export function parseRateLimit(value: string): RateLimit | null {
  const match = LIMIT.exec(value);
  if (!match) return null;
  const points = Number(match[1]);
  const seconds = Number(match[2]) * UNIT_SECONDS[match[3]];
  return points >= 1 && seconds >= 1 ? { points, seconds } : null;
}
