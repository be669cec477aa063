import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, SOCKET_HEARTBEAT_MAX_MS, type Config } from './config.js';

const SECRET = 'x'.repeat(32);

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  it('uses the documented defaults when nothing is set', () => {
    expect(loadConfig({})).toEqual<Config>({
      nodeEnv: 'development',
      port: 3000,
      host: '0.0.0.0',
      listenBacklog: 4096,
      maxConnections: undefined,
      databaseUrl: undefined,
      redisUrl: undefined,
      redisPrefix: undefined,
      eventStoreUrl: undefined,
      dataDir: path.join(process.cwd(), '.derbel-data'),
      jwtSecret: undefined,
      jwtExpiresInSeconds: 900,
      sessionIdleTimeoutSeconds: 14 * 86_400,
      sessionMaxAgeSeconds: 30 * 86_400,
      passwordRounds: 10,
      corsOrigins: [],
      cookieSecure: false,
      logLevel: 'info',
      contactRequestCooldownSeconds: 86_400,
      meetingRingTimeoutMs: 45_000,
      meetingReconnectGraceMs: 15_000,
      socketPingIntervalMs: 20_000,
      socketPingTimeoutMs: 5_000,
      socketHandshakesPerSecond: 2_000,
      socketReconnectSpreadPerSecond: 200,
      socketReconnectSpreadIdlePerSecond: 400,
      presenceOnlineSettleMs: 1_000,
      presenceOfflineGraceMs: 3_000,
      drainTimeoutMs: 10_000,
      drainLeaveRotationMs: 0,
      stunUrls: ['stun:stun.l.google.com:19302'],
      turnUrls: [],
      turnSecret: undefined,
      turnTtlSeconds: 86_400,
      iceTransportPolicy: 'all',
      projectionsEnabled: true,
      nodeId: `${os.hostname()}-${process.pid}`,
      trustProxy: [],
      rateLimits: expect.objectContaining({
        messages: { points: 30, seconds: 6 },
        uploads: { points: 60, seconds: 60 },
        maxSocketsPerUser: 20,
      }),
      attachments: { maxBytes: 25 * 1024 * 1024, quotaBytes: 1024 * 1024 * 1024, s3: undefined },
    });
  });

  it('reads every variable when all are set and valid', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      PORT: '8080',
      HOST: '127.0.0.1',
      LISTEN_BACKLOG: '8192',
      MAX_CONNECTIONS: '50000',
      DATABASE_URL: 'postgres://derbel:pw@db:5432/derbel',
      REDIS_URL: 'redis://redis:6379',
      EVENTSTORE_URL: 'kurrentdb://kurrent:2113?tls=false',
      DATA_DIR: 'var/data',
      JWT_SECRET: SECRET,
      JWT_EXPIRES_IN: '15m',
      SESSION_IDLE_TIMEOUT: '2d',
      SESSION_MAX_AGE: '60d',
      PASSWORD_ROUNDS: '12',
      CORS_ORIGINS: 'https://app.example.com, http://localhost:5173',
      COOKIE_SECURE: 'false',
      LOG_LEVEL: 'silent',
      MEETING_RING_TIMEOUT_MS: '200',
      MEETING_RECONNECT_GRACE_MS: '0',
      SOCKET_PING_INTERVAL_MS: '20000',
      SOCKET_PING_TIMEOUT_MS: '8000',
      SOCKET_HANDSHAKES_PER_SECOND: '500',
      SOCKET_RECONNECT_SPREAD_PER_SECOND: '300',
      PRESENCE_ONLINE_SETTLE_MS: '500',
      PRESENCE_OFFLINE_GRACE_MS: '0',
      DRAIN_TIMEOUT_MS: '60000',
      DRAIN_LEAVE_ROTATION_MS: '6000',
      STUN_URLS: 'stun:a.example.com:3478,stuns:b.example.com',
      TURN_URLS: 'turn:turn.example.com:3478?transport=udp,turns:turn.example.com:5349',
      TURN_SECRET: 'turn-shared-secret',
      TURN_TTL_SECONDS: '3600',
      ICE_TRANSPORT_POLICY: 'relay',
      PROJECTIONS: 'off',
      NODE_ID: 'api-2',
      TRUST_PROXY: '172.30.240.2, 10.0.0.0/8,loopback',
      REDIS_PREFIX: 'derbel-staging',
      ATTACHMENT_MAX_BYTES: '1048576',
      ATTACHMENT_QUOTA_BYTES: '10485760',
      S3_BUCKET: 'derbel-files',
      S3_URL: 'http://minio:9000',
      S3_ACCESS_KEY_ID: 'minio',
      S3_SECRET_ACCESS_KEY: 'minio-secret',
      S3_PREFIX: 'staging/',
    });
    expect(config).toEqual<Config>({
      nodeEnv: 'production',
      port: 8080,
      host: '127.0.0.1',
      listenBacklog: 8192,
      maxConnections: 50000,
      databaseUrl: 'postgres://derbel:pw@db:5432/derbel',
      redisUrl: 'redis://redis:6379',
      redisPrefix: 'derbel-staging',
      eventStoreUrl: 'kurrentdb://kurrent:2113?tls=false',
      dataDir: path.resolve('var/data'),
      jwtSecret: SECRET,
      jwtExpiresInSeconds: 900,
      sessionIdleTimeoutSeconds: 2 * 86_400,
      sessionMaxAgeSeconds: 60 * 86_400,
      passwordRounds: 12,
      corsOrigins: ['https://app.example.com', 'http://localhost:5173'],
      cookieSecure: false,
      logLevel: 'silent',
      contactRequestCooldownSeconds: 86_400,
      meetingRingTimeoutMs: 200,
      meetingReconnectGraceMs: 0,
      socketPingIntervalMs: 20_000,
      socketPingTimeoutMs: 8_000,
      socketHandshakesPerSecond: 500,
      socketReconnectSpreadPerSecond: 300,
      socketReconnectSpreadIdlePerSecond: 300,
      presenceOnlineSettleMs: 500,
      presenceOfflineGraceMs: 0,
      drainTimeoutMs: 60_000,
      drainLeaveRotationMs: 6_000,
      stunUrls: ['stun:a.example.com:3478', 'stuns:b.example.com'],
      turnUrls: ['turn:turn.example.com:3478?transport=udp', 'turns:turn.example.com:5349'],
      turnSecret: 'turn-shared-secret',
      turnTtlSeconds: 3600,
      iceTransportPolicy: 'relay',
      projectionsEnabled: false,
      nodeId: 'api-2',
      trustProxy: ['172.30.240.2', '10.0.0.0/8', 'loopback'],
      rateLimits: expect.objectContaining({ messages: { points: 30, seconds: 6 } }),
      attachments: {
        maxBytes: 1_048_576,
        quotaBytes: 10_485_760,
        s3: {
          bucket: 'derbel-files',
          endpoint: 'http://minio:9000',
          region: 'us-east-1',
          accessKeyId: 'minio',
          secretAccessKey: 'minio-secret',
          forcePathStyle: true,
          prefix: 'staging/',
        },
      },
    });
  });

  it('treats empty and blank values as unset', () => {
    const config = loadConfig({ PORT: '', DATABASE_URL: '  ', JWT_SECRET: '', STUN_URLS: '' });
    expect(config.port).toBe(3000);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.jwtSecret).toBeUndefined();
    expect(config.stunUrls).toEqual(['stun:stun.l.google.com:19302']);
  });

  it('makes cookies secure by default in production only', () => {
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: SECRET }).cookieSecure).toBe(true);
    expect(loadConfig({ NODE_ENV: 'test' }).cookieSecure).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: SECRET, COOKIE_SECURE: 'FALSE' }).cookieSecure).toBe(false);
  });

  it.each([
    ['1', 1],
    ['90s', 90],
    ['15m', 900],
    ['1h', 3600],
    ['7d', 604_800],
  ])('reads JWT_EXPIRES_IN=%s as %i seconds', (value, seconds) => {
    expect(loadConfig({ JWT_EXPIRES_IN: value }).jwtExpiresInSeconds).toBe(seconds);
  });

  it('reads the reconnect rates a node offers busy and idle; the busy one alone pins both', () => {
    expect(loadConfig({ SOCKET_RECONNECT_SPREAD_IDLE_PER_SECOND: '600' })).toMatchObject({
      socketReconnectSpreadPerSecond: 200,
      socketReconnectSpreadIdlePerSecond: 600,
    });
    expect(loadConfig({ SOCKET_RECONNECT_SPREAD_PER_SECOND: '50' })).toMatchObject({
      socketReconnectSpreadPerSecond: 50,
      socketReconnectSpreadIdlePerSecond: 50,
    });
    expect(() => loadConfig({ SOCKET_RECONNECT_SPREAD_PER_SECOND: '500', SOCKET_RECONNECT_SPREAD_IDLE_PER_SECOND: '400' })).toThrow(
      /SOCKET_RECONNECT_SPREAD_IDLE_PER_SECOND \(400\) must be at least SOCKET_RECONNECT_SPREAD_PER_SECOND \(500\)/,
    );
  });

  it('refuses sessions whose parts cannot fit: access token ≤ idle timeout ≤ lifetime', () => {
    expect(() => loadConfig({ JWT_EXPIRES_IN: '30d' })).toThrow(/SESSION_IDLE_TIMEOUT/);
    expect(() => loadConfig({ SESSION_IDLE_TIMEOUT: '40d' })).toThrow(/SESSION_MAX_AGE/);
    expect(loadConfig({ JWT_EXPIRES_IN: '30d', SESSION_IDLE_TIMEOUT: '60d', SESSION_MAX_AGE: '90d' }).sessionMaxAgeSeconds).toBe(
      90 * 86_400,
    );
  });

  it('accepts EventStoreDB and KurrentDB URLs, including gossip seed lists', () => {
    for (const url of [
      'esdb://localhost:2113?tls=false',
      'esdb+discover://a:2113,b:2113',
      'kurrentdb://kurrent:2113',
      'kurrent://k:2113',
    ]) {
      expect(loadConfig({ EVENTSTORE_URL: url }).eventStoreUrl).toBe(url);
    }
  });

  it('requires JWT_SECRET in production', () => {
    expect(problemsOf({ NODE_ENV: 'production' })).toEqual(['JWT_SECRET is required when NODE_ENV=production (at least 32 characters)']);
  });

  it.each<[string, Record<string, string>, string]>([
    ['NODE_ENV', { NODE_ENV: 'prod' }, 'NODE_ENV must be one of development, production, test, got "prod"'],
    ['PORT (not a number)', { PORT: 'abc' }, 'PORT must be an integer 0-65535, got "abc"'],
    ['PORT (out of range)', { PORT: '70000' }, 'PORT must be an integer 0-65535, got "70000"'],
    ['PORT (fraction)', { PORT: '80.5' }, 'PORT must be an integer 0-65535, got "80.5"'],
    ['HOST', { HOST: 'local host' }, 'HOST must be a host name or IP address, got "local host"'],
    ['MAX_CONNECTIONS', { MAX_CONNECTIONS: '0' }, 'MAX_CONNECTIONS must be an integer 1-10000000, got "0"'],
    [
      'DATABASE_URL',
      { DATABASE_URL: 'mysql://root:hunter2@db/derbel' },
      'DATABASE_URL must be a URL starting with postgres:// or postgresql://, got "mysql://root:***@db/derbel"',
    ],
    ['REDIS_URL', { REDIS_URL: 'localhost:6379' }, 'REDIS_URL must be a URL starting with redis:// or rediss://, got "localhost:6379"'],
    [
      'EVENTSTORE_URL',
      { EVENTSTORE_URL: 'http://kurrent:2113' },
      'EVENTSTORE_URL must be a URL starting with esdb:// or esdb+discover:// or kurrentdb:// or kurrentdb+discover:// or kurrent:// or kurrent+discover://, got "http://kurrent:2113"',
    ],
    ['JWT_SECRET', { JWT_SECRET: 'short' }, 'JWT_SECRET must be at least 32 characters, got 5'],
    [
      'JWT_EXPIRES_IN (unit)',
      { JWT_EXPIRES_IN: '1y' },
      'JWT_EXPIRES_IN must be a positive number of seconds or a duration like 15m, 1h, 7d, got "1y"',
    ],
    [
      'JWT_EXPIRES_IN (zero)',
      { JWT_EXPIRES_IN: '0' },
      'JWT_EXPIRES_IN must be a positive number of seconds or a duration like 15m, 1h, 7d, got "0"',
    ],
    ['PASSWORD_ROUNDS', { PASSWORD_ROUNDS: '3' }, 'PASSWORD_ROUNDS must be an integer 4-15, got "3"'],
    [
      'CORS_ORIGINS (path)',
      { CORS_ORIGINS: 'https://ok.example.com,https://app.example.com/' },
      'CORS_ORIGINS entries must each be an http(s) origin like https://app.example.com (no path, no trailing slash), got "https://app.example.com/"',
    ],
    [
      'CORS_ORIGINS (scheme)',
      { CORS_ORIGINS: 'ftp://files.example.com' },
      'CORS_ORIGINS entries must each be an http(s) origin like https://app.example.com (no path, no trailing slash), got "ftp://files.example.com"',
    ],
    ['COOKIE_SECURE', { COOKIE_SECURE: 'yes' }, 'COOKIE_SECURE must be true or false, got "yes"'],
    ['LOG_LEVEL', { LOG_LEVEL: 'verbose' }, 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "verbose"'],
    [
      'MEETING_RING_TIMEOUT_MS',
      { MEETING_RING_TIMEOUT_MS: '-5' },
      'MEETING_RING_TIMEOUT_MS must be a number of milliseconds 1-2147483647, got "-5"',
    ],
    [
      'MEETING_RECONNECT_GRACE_MS',
      { MEETING_RECONNECT_GRACE_MS: '15s' },
      'MEETING_RECONNECT_GRACE_MS must be a number of milliseconds 0-2147483647, got "15s"',
    ],
    [
      'SOCKET_PING_INTERVAL_MS (unit)',
      { SOCKET_PING_INTERVAL_MS: '10s' },
      'SOCKET_PING_INTERVAL_MS must be a number of milliseconds 1000-44000, got "10s"',
    ],
    [
      'SOCKET_PING_INTERVAL_MS (too short)',
      { SOCKET_PING_INTERVAL_MS: '500' },
      'SOCKET_PING_INTERVAL_MS must be a number of milliseconds 1000-44000, got "500"',
    ],
    [
      'SOCKET_PING_TIMEOUT_MS (too long)',
      { SOCKET_PING_TIMEOUT_MS: '60000' },
      'SOCKET_PING_TIMEOUT_MS must be a number of milliseconds 1000-44000, got "60000"',
    ],
    [
      'SOCKET_PING_TIMEOUT_MS (negative)',
      { SOCKET_PING_TIMEOUT_MS: '-1' },
      'SOCKET_PING_TIMEOUT_MS must be a number of milliseconds 1000-44000, got "-1"',
    ],
    [
      'SOCKET_PING_INTERVAL_MS + SOCKET_PING_TIMEOUT_MS',
      { SOCKET_PING_INTERVAL_MS: '30000', SOCKET_PING_TIMEOUT_MS: '20000' },
      "SOCKET_PING_INTERVAL_MS + SOCKET_PING_TIMEOUT_MS must together be at most 45000 milliseconds, which the proxy's timeouts are sized for, got 30000 + 20000 = 50000",
    ],
    [
      'SOCKET_PING_INTERVAL_MS + the default SOCKET_PING_TIMEOUT_MS',
      { SOCKET_PING_INTERVAL_MS: '42000' },
      "SOCKET_PING_INTERVAL_MS + SOCKET_PING_TIMEOUT_MS must together be at most 45000 milliseconds, which the proxy's timeouts are sized for, got 42000 + 5000 = 47000",
    ],
    [
      'STUN_URLS',
      { STUN_URLS: 'stun:ok.example.com,turn:wrong.example.com' },
      'STUN_URLS entries must each be a stun: or stuns: URL such as stun:stun.example.com:3478, got "turn:wrong.example.com"',
    ],
    [
      'TURN_URLS',
      { TURN_URLS: 'http://turn.example.com', TURN_SECRET: 's' },
      'TURN_URLS entries must each be a turn: or turns: URL such as turn:turn.example.com:3478?transport=udp, got "http://turn.example.com"',
    ],
    ['TURN_URLS without TURN_SECRET', { TURN_URLS: 'turn:turn.example.com' }, 'TURN_URLS is set but TURN_SECRET is not: TURN needs both'],
    ['TURN_SECRET without TURN_URLS', { TURN_SECRET: 'secret' }, 'TURN_SECRET is set but TURN_URLS is not: TURN needs both'],
    ['TURN_TTL_SECONDS', { TURN_TTL_SECONDS: 'day' }, 'TURN_TTL_SECONDS must be a number of seconds 60-2592000, got "day"'],
    ['ICE_TRANSPORT_POLICY', { ICE_TRANSPORT_POLICY: 'turn' }, 'ICE_TRANSPORT_POLICY must be one of all, relay, got "turn"'],
    [
      'ICE_TRANSPORT_POLICY=relay without TURN_URLS',
      { ICE_TRANSPORT_POLICY: 'relay' },
      'ICE_TRANSPORT_POLICY=relay needs TURN_URLS: without TURN there is nothing to relay through',
    ],
    ['PROJECTIONS', { PROJECTIONS: 'yes' }, 'PROJECTIONS must be on or off, got "yes"'],
    ['NODE_ID', { NODE_ID: 'api node 1' }, 'NODE_ID must be at most 128 letters, digits or . _ : @ -, got "api node 1"'],
    [
      'TRUST_PROXY',
      { TRUST_PROXY: '10.0.0.0/33' },
      'TRUST_PROXY entries must each be an IP address, a CIDR such as 172.30.0.0/24, or loopback, linklocal, uniquelocal, got "10.0.0.0/33"',
    ],
    ['REDIS_PREFIX', { REDIS_PREFIX: 'derbel:prod' }, 'REDIS_PREFIX must be at most 64 letters, digits or . _ -, got "derbel:prod"'],
  ])('rejects a bad %s with a clear message', (_, env, message) => {
    expect(problemsOf(env)).toEqual([message]);
  });

  it('reports every bad value in one error', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'abc', LOG_LEVEL: 'loud', PASSWORD_ROUNDS: '99' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toBe(
      [
        'Invalid configuration:',
        '  - PORT must be an integer 0-65535, got "abc"',
        '  - PASSWORD_ROUNDS must be an integer 4-15, got "99"',
        '  - LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"',
      ].join('\n'),
    );
  });

  it('needs a bucket for S3 storage, and both S3 keys or neither', () => {
    expect(problemsOf({ S3_URL: 'http://minio:9000' })).toEqual(['S3_URL is set but S3_BUCKET is not: S3 storage needs a bucket']);
    expect(problemsOf({ S3_BUCKET: 'files', S3_ACCESS_KEY_ID: 'key' })).toEqual([
      'S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together: set both or neither (then the AWS default credential chain is used)',
    ]);
    expect(problemsOf({ ATTACHMENT_MAX_BYTES: '0' })).toEqual(['ATTACHMENT_MAX_BYTES must be a positive number of bytes, got "0"']);
    expect(loadConfig({ S3_BUCKET: 'files' }).attachments.s3).toMatchObject({
      bucket: 'files',
      endpoint: undefined,
      forcePathStyle: false,
    });
  });

  it('never echoes a secret in its messages', () => {
    const problems = problemsOf({ JWT_SECRET: 'too-short-secret', DATABASE_URL: 'http://u:sup3rsecret@db/x' });
    expect(problems.join('\n')).not.toContain('too-short-secret');
    expect(problems.join('\n')).not.toContain('sup3rsecret');
  });
});

describe('the Socket.io heartbeat', () => {
  it('notices a dead tab within 25 s by default', () => {
    const { socketPingIntervalMs, socketPingTimeoutMs } = loadConfig({});
    expect(socketPingIntervalMs + socketPingTimeoutMs).toBe(25_000);
  });

  it("accepts Socket.io's own defaults, the longest it allows together", () => {
    const config = loadConfig({ SOCKET_PING_INTERVAL_MS: '25000', SOCKET_PING_TIMEOUT_MS: '20000' });
    expect([config.socketPingIntervalMs, config.socketPingTimeoutMs]).toEqual([25_000, 20_000]);
    expect(config.socketPingIntervalMs + config.socketPingTimeoutMs).toBe(SOCKET_HEARTBEAT_MAX_MS);
  });

  it('reports a bad value once, not again as a too-long sum through its fallback', () => {
    expect(problemsOf({ SOCKET_PING_INTERVAL_MS: 'often', SOCKET_PING_TIMEOUT_MS: '42000' })).toEqual([
      'SOCKET_PING_INTERVAL_MS must be a number of milliseconds 1000-44000, got "often"',
    ]);
  });
});

describe('PORT 0', () => {
  it('is accepted and means "any free port"', () => {
    expect(loadConfig({ PORT: '0' }).port).toBe(0);
  });
});
