import os from 'node:os';
import path from 'node:path';
import { EnvReader, type Environment } from './env-reader.js';
import { isProxyAddress, PROXY_ADDRESS_DESCRIPTION } from './proxy-addresses.js';
import { readRateLimits, type RateLimits } from './rate-limits.js';
import { readAttachmentsConfig, type AttachmentsConfig } from './attachments-config.js';

export { describeConfig, type ConfigDescription } from './describe-config.js';

export const NODE_ENVS = ['development', 'production', 'test'] as const;
export type NodeEnv = (typeof NODE_ENVS)[number];

/** `relay`: browsers use TURN only (a test proving the TURN credentials work; or hiding users' addresses from each other). */
export const ICE_TRANSPORT_POLICIES = ['all', 'relay'] as const;
export type IceTransportPolicy = (typeof ICE_TRANSPORT_POLICIES)[number];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const JWT_SECRET_MIN_LENGTH = 32;
export const DEFAULT_STUN_URLS = ['stun:stun.l.google.com:19302'];
/**
 * The longest a healthy Socket.io connection may stay quiet: ping interval plus ping timeout. Proxies in
 * front of the api (traefik/traefik.yml) keep idle connections open longer than this, so the two settings
 * together may not exceed it. It is also Socket.io's own default (25 s + 20 s).
 */
export const SOCKET_HEARTBEAT_MAX_MS = 45_000;

/** Everything a node needs to know at start-up, read from the environment by `loadConfig`. */
export interface Config {
  nodeEnv: NodeEnv;
  port: number;
  host: string;
  /** Connections the kernel queues while the event loop is busy: a reconnect storm arrives within a second. */
  listenBacklog: number;
  /** The most client connections the node holds at once; unset: its open-files limit less what it needs itself (http/connection-ceiling.ts). */
  maxConnections: number | undefined;
  /** Absent: the node starts an embedded PostgreSQL in `dataDir`. */
  databaseUrl: string | undefined;
  /** Absent: Socket.io uses its in-memory adapter (a single node). */
  redisUrl: string | undefined;
  /** Prefix of every Redis key and channel; absent: derived from the database's identity (redis/deployment-prefix.ts). */
  redisPrefix: string | undefined;
  /** Absent: events are stored in PostgreSQL. */
  eventStoreUrl: string | undefined;
  /** Absolute path of the folder the app owns (embedded PostgreSQL data, generated JWT secret). */
  dataDir: string;
  /** Absent outside production: `resolveJwtSecret` generates one and keeps it in `dataDir`. */
  jwtSecret: string | undefined;
  /** Lifetime of an access token (the JWT); the app renews it while it is open. */
  jwtExpiresInSeconds: number;
  /** A session ends when not renewed for this long. */
  sessionIdleTimeoutSeconds: number;
  /** A session ends this long after sign-in, however active. */
  sessionMaxAgeSeconds: number;
  /** bcrypt cost factor. */
  passwordRounds: number;
  corsOrigins: string[];
  cookieSecure: boolean;
  logLevel: LogLevel;
  /** After a decline, the requester's new contact requests are silenced this long. */
  contactRequestCooldownSeconds: number;
  meetingRingTimeoutMs: number;
  meetingReconnectGraceMs: number;
  /**
   * Socket.io heartbeat: the server pings each socket this often, and drops one whose answer is
   * `socketPingTimeoutMs` late. Their sum bounds how long a tab killed without closing its socket still
   * shows online to its contacts (and holds its meeting seat before the reconnect grace starts). Every ping is a
   * write to each socket and its pong a read: at 20,000 sockets a node spent a fifth of a core on 10 s pings
   * (BENCHMARKS.md), so the default is 20 s + 5 s.
   */
  socketPingIntervalMs: number;
  socketPingTimeoutMs: number;
  /**
   * The most socket handshakes a second this node takes; under load it takes fewer, measured by its event loop
   * (realtime/handshake-admission.ts), and tells the others when to come back.
   */
  socketHandshakesPerSecond: number;
  /**
   * Reconnects a second a node offers to take, should another die, while its own users keep it busy; its clients
   * are told to spread their return at what the others offer (realtime/reconnect-capacity.ts, reconnect-spread.ts).
   */
  socketReconnectSpreadPerSecond: number;
  /** … and while it is mostly idle (the same as the busy rate when only that one is set: a pinned rate). */
  socketReconnectSpreadIdlePerSecond: number;
  /** A user who comes online is shown online to their contacts this long later, if still online (a flap sends nothing). */
  presenceOnlineSettleMs: number;
  /** A user who goes offline is shown offline this long later, if still offline (a quick reconnect to any node sends nothing). */
  presenceOfflineGraceMs: number;
  /**
   * How long the orchestrator lets a node drain after SIGTERM before it kills it (lifecycle/drain.ts): its
   * sockets are moved elsewhere at `socketReconnectSpreadPerSecond` within it.
   */
  drainTimeoutMs: number;
  /** After SIGTERM, the node reports not ready and serves on this long before it stops accepting (the balancer's check interval). */
  drainLeaveRotationMs: number;
  stunUrls: string[];
  /** Empty when no TURN server is configured; otherwise `turnSecret` is set too. */
  turnUrls: string[];
  turnSecret: string | undefined;
  turnTtlSeconds: number;
  iceTransportPolicy: IceTransportPolicy;
  /** Whether this node competes for the leadership that runs the projections. */
  projectionsEnabled: boolean;
  nodeId: string;
  /**
   * Proxies whose `X-Forwarded-For` is believed (addresses, CIDRs). Empty: the client is the peer of the
   * connection, and no header can change who a request counts as.
   */
  trustProxy: string[];
  /** Per-client limits (rate-limits.ts). */
  rateLimits: RateLimits;
  /** Upload limits and where files are stored (attachments-config.ts). */
  attachments: AttachmentsConfig;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const MAX_TIMER_MS = 2_147_483_647;
const HTTP_ORIGIN_DESCRIPTION = 'an http(s) origin like https://app.example.com (no path, no trailing slash)';
const HOST = /^[^\s/]+$/;
const NODE_ID = /^[A-Za-z0-9._:@-]{1,128}$/;
const REDIS_PREFIX = /^[A-Za-z0-9._-]{1,64}$/;
const STUN_URL = /^stuns?:(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:\d{1,5})?$/i;
const TURN_URL = /^turns?:(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:\d{1,5})?(\?transport=(udp|tcp))?$/i;

/**
 * Reads and validates the configuration. Every bad value is reported at once in a `ConfigError`.
 * No I/O: the JWT secret file is handled by `resolveJwtSecret`.
 */
export function loadConfig(env: Environment = process.env): Config {
  const read = new EnvReader(env);
  const nodeEnv = read.choice('NODE_ENV', NODE_ENVS, 'development');

  const jwtSecret = read.secret('JWT_SECRET', JWT_SECRET_MIN_LENGTH);
  if (nodeEnv === 'production' && read.raw('JWT_SECRET') === undefined) {
    read.problem(`JWT_SECRET is required when NODE_ENV=production (at least ${JWT_SECRET_MIN_LENGTH} characters)`);
  }

  const turnUrls = read.list(
    'TURN_URLS',
    { isValid: (url) => TURN_URL.test(url), description: 'a turn: or turns: URL such as turn:turn.example.com:3478?transport=udp' },
    [],
  );
  const turnSecret = read.secret('TURN_SECRET');
  if (read.raw('TURN_URLS') !== undefined && read.raw('TURN_SECRET') === undefined) {
    read.problem('TURN_URLS is set but TURN_SECRET is not: TURN needs both');
  }
  if (read.raw('TURN_SECRET') !== undefined && read.raw('TURN_URLS') === undefined) {
    read.problem('TURN_SECRET is set but TURN_URLS is not: TURN needs both');
  }

  if (read.raw('ICE_TRANSPORT_POLICY') === 'relay' && read.raw('TURN_URLS') === undefined) {
    read.problem('ICE_TRANSPORT_POLICY=relay needs TURN_URLS: without TURN there is nothing to relay through');
  }

  const heartbeatRange = {
    min: 1_000,
    max: SOCKET_HEARTBEAT_MAX_MS - 1_000,
    description: `a number of milliseconds 1000-${SOCKET_HEARTBEAT_MAX_MS - 1_000}`,
  };
  const problemsBeforeHeartbeat = read.problems.length;
  const socketPingIntervalMs = read.integer('SOCKET_PING_INTERVAL_MS', heartbeatRange, 20_000);
  const socketPingTimeoutMs = read.integer('SOCKET_PING_TIMEOUT_MS', heartbeatRange, 5_000);
  // Summed only when both are valid: a bad one is reported on its own, not again through its fallback.
  if (read.problems.length === problemsBeforeHeartbeat && socketPingIntervalMs + socketPingTimeoutMs > SOCKET_HEARTBEAT_MAX_MS) {
    read.problem(
      `SOCKET_PING_INTERVAL_MS + SOCKET_PING_TIMEOUT_MS must together be at most ${SOCKET_HEARTBEAT_MAX_MS} milliseconds, which the proxy's timeouts are sized for, ` +
        `got ${socketPingIntervalMs} + ${socketPingTimeoutMs} = ${socketPingIntervalMs + socketPingTimeoutMs}`,
    );
  }

  const spreadRange = { min: 1, max: 100_000 };
  const socketReconnectSpreadPerSecond = read.integer('SOCKET_RECONNECT_SPREAD_PER_SECOND', spreadRange, 200);
  const socketReconnectSpreadIdlePerSecond = read.integer(
    'SOCKET_RECONNECT_SPREAD_IDLE_PER_SECOND',
    spreadRange,
    read.raw('SOCKET_RECONNECT_SPREAD_PER_SECOND') === undefined ? 400 : socketReconnectSpreadPerSecond,
  );
  if (socketReconnectSpreadIdlePerSecond < socketReconnectSpreadPerSecond) {
    read.problem(
      `SOCKET_RECONNECT_SPREAD_IDLE_PER_SECOND (${socketReconnectSpreadIdlePerSecond}) must be at least SOCKET_RECONNECT_SPREAD_PER_SECOND (${socketReconnectSpreadPerSecond}): a node takes more reconnects idle than busy`,
    );
  }

  const problemsBeforeSessions = read.problems.length;
  const jwtExpiresInSeconds = read.durationSeconds('JWT_EXPIRES_IN', 15 * 60);
  const sessionIdleTimeoutSeconds = read.durationSeconds('SESSION_IDLE_TIMEOUT', 14 * 86_400);
  const sessionMaxAgeSeconds = read.durationSeconds('SESSION_MAX_AGE', 30 * 86_400);
  if (
    read.problems.length === problemsBeforeSessions &&
    !(jwtExpiresInSeconds <= sessionIdleTimeoutSeconds && sessionIdleTimeoutSeconds <= sessionMaxAgeSeconds)
  ) {
    read.problem(
      `JWT_EXPIRES_IN (${jwtExpiresInSeconds} s) ≤ SESSION_IDLE_TIMEOUT (${sessionIdleTimeoutSeconds} s) ≤ SESSION_MAX_AGE (${sessionMaxAgeSeconds} s) must hold: ` +
        'an access token cannot outlive the idle timeout, nor the idle timeout the session',
    );
  }

  const config: Config = {
    nodeEnv,
    // 0 asks the OS for a free port (tests, local clusters).
    port: read.integer('PORT', { min: 0, max: 65_535 }, 3000),
    host: read.matching('HOST', HOST, 'a host name or IP address') ?? '0.0.0.0',
    listenBacklog: read.integer('LISTEN_BACKLOG', { min: 1, max: 65_535 }, 4096),
    maxConnections: read.raw('MAX_CONNECTIONS') === undefined ? undefined : read.integer('MAX_CONNECTIONS', { min: 1, max: 10_000_000 }, 1),
    databaseUrl: read.url('DATABASE_URL', ['postgres', 'postgresql']),
    redisUrl: read.url('REDIS_URL', ['redis', 'rediss']),
    redisPrefix: read.matching('REDIS_PREFIX', REDIS_PREFIX, 'at most 64 letters, digits or . _ -'),
    eventStoreUrl: read.url('EVENTSTORE_URL', ['esdb', 'esdb+discover', 'kurrentdb', 'kurrentdb+discover', 'kurrent', 'kurrent+discover']),
    dataDir: path.resolve(read.raw('DATA_DIR') ?? '.derbel-data'),
    jwtSecret,
    jwtExpiresInSeconds,
    sessionIdleTimeoutSeconds,
    sessionMaxAgeSeconds,
    passwordRounds: read.integer('PASSWORD_ROUNDS', { min: 4, max: 15 }, 10),
    corsOrigins: read.list('CORS_ORIGINS', { isValid: isHttpOrigin, description: HTTP_ORIGIN_DESCRIPTION }, []),
    cookieSecure: read.boolean('COOKIE_SECURE', nodeEnv === 'production'),
    logLevel: read.choice('LOG_LEVEL', LOG_LEVELS, 'info'),
    contactRequestCooldownSeconds: read.durationSeconds('CONTACT_REQUEST_COOLDOWN', 86_400),
    meetingRingTimeoutMs: read.integer(
      'MEETING_RING_TIMEOUT_MS',
      { min: 1, max: MAX_TIMER_MS, description: `a number of milliseconds 1-${MAX_TIMER_MS}` },
      45_000,
    ),
    meetingReconnectGraceMs: read.integer(
      'MEETING_RECONNECT_GRACE_MS',
      { min: 0, max: MAX_TIMER_MS, description: `a number of milliseconds 0-${MAX_TIMER_MS}` },
      15_000,
    ),
    socketPingIntervalMs,
    socketPingTimeoutMs,
    socketHandshakesPerSecond: read.integer('SOCKET_HANDSHAKES_PER_SECOND', { min: 1, max: 100_000 }, 2_000),
    socketReconnectSpreadPerSecond,
    socketReconnectSpreadIdlePerSecond,
    presenceOnlineSettleMs: read.integer(
      'PRESENCE_ONLINE_SETTLE_MS',
      { min: 0, max: 60_000, description: 'a number of milliseconds 0-60000' },
      1_000,
    ),
    presenceOfflineGraceMs: read.integer(
      'PRESENCE_OFFLINE_GRACE_MS',
      { min: 0, max: 60_000, description: 'a number of milliseconds 0-60000' },
      3_000,
    ),
    drainTimeoutMs: read.integer(
      'DRAIN_TIMEOUT_MS',
      { min: 1_000, max: 600_000, description: 'a number of milliseconds 1000-600000' },
      10_000,
    ),
    drainLeaveRotationMs: read.integer(
      'DRAIN_LEAVE_ROTATION_MS',
      { min: 0, max: 60_000, description: 'a number of milliseconds 0-60000' },
      0,
    ),
    stunUrls: read.list(
      'STUN_URLS',
      { isValid: (url) => STUN_URL.test(url), description: 'a stun: or stuns: URL such as stun:stun.example.com:3478' },
      DEFAULT_STUN_URLS,
    ),
    turnUrls,
    turnSecret,
    turnTtlSeconds: read.integer('TURN_TTL_SECONDS', { min: 60, max: 30 * 86_400, description: 'a number of seconds 60-2592000' }, 86_400),
    iceTransportPolicy: read.choice('ICE_TRANSPORT_POLICY', ICE_TRANSPORT_POLICIES, 'all'),
    projectionsEnabled: read.onOff('PROJECTIONS', true),
    nodeId: read.matching('NODE_ID', NODE_ID, 'at most 128 letters, digits or . _ : @ -') ?? `${os.hostname()}-${process.pid}`,
    trustProxy: read.list('TRUST_PROXY', { isValid: isProxyAddress, description: PROXY_ADDRESS_DESCRIPTION }, []),
    rateLimits: readRateLimits(read),
    attachments: readAttachmentsConfig(read),
  };

  if (read.problems.length > 0) throw new ConfigError(read.problems);
  return config;
}

function isHttpOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value;
  } catch {
    return false;
  }
}
