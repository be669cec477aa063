// No container engine runs here, so this reads docker-compose.yml, .env.example and traefik/ as
// data and checks they are wired to each other and to what the app reads.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadConfig, SOCKET_HEARTBEAT_MAX_MS } from '../../infrastructure/config/config.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const readText = (path: string) => readFileSync(join(root, path), 'utf8');

/** The environment variables the app's configuration reads (checked against infrastructure/config below). */
const APP_READS = [
  'NODE_ENV',
  'PORT',
  'HOST',
  'LISTEN_BACKLOG',
  'MAX_CONNECTIONS',
  'DATABASE_URL',
  'REDIS_URL',
  'EVENTSTORE_URL',
  'DATA_DIR',
  'JWT_SECRET',
  'JWT_EXPIRES_IN',
  'SESSION_IDLE_TIMEOUT',
  'SESSION_MAX_AGE',
  'PASSWORD_ROUNDS',
  'CORS_ORIGINS',
  'COOKIE_SECURE',
  'LOG_LEVEL',
  'CONTACT_REQUEST_COOLDOWN',
  'MEETING_RING_TIMEOUT_MS',
  'MEETING_RECONNECT_GRACE_MS',
  'SOCKET_PING_INTERVAL_MS',
  'SOCKET_PING_TIMEOUT_MS',
  'SOCKET_HANDSHAKES_PER_SECOND',
  'SOCKET_RECONNECT_SPREAD_PER_SECOND',
  'SOCKET_RECONNECT_SPREAD_IDLE_PER_SECOND',
  'PRESENCE_ONLINE_SETTLE_MS',
  'PRESENCE_OFFLINE_GRACE_MS',
  'DRAIN_TIMEOUT_MS',
  'DRAIN_LEAVE_ROTATION_MS',
  'STUN_URLS',
  'TURN_URLS',
  'TURN_SECRET',
  'TURN_TTL_SECONDS',
  'ICE_TRANSPORT_POLICY',
  'PROJECTIONS',
  'NODE_ID',
  'REDIS_PREFIX',
  'TRUST_PROXY',
  'RATE_LIMIT_SIGN_UP',
  'RATE_LIMIT_SIGN_IN',
  'RATE_LIMIT_FAILED_SIGN_INS_PER_ADDRESS',
  'RATE_LIMIT_MESSAGES',
  'RATE_LIMIT_EDITS',
  'RATE_LIMIT_CONTACT_ADDS',
  'RATE_LIMIT_RINGS',
  'RATE_LIMIT_SEARCHES',
  'RATE_LIMIT_SOCKET_EVENTS',
  'MAX_SOCKETS_PER_USER',
  'RATE_LIMIT_UPLOADS',
  'ATTACHMENT_MAX_BYTES',
  'ATTACHMENT_QUOTA_BYTES',
  'S3_BUCKET',
  'S3_URL',
  'S3_REGION',
  'S3_ACCESS_KEY_ID',
  'S3_SECRET_ACCESS_KEY',
  'S3_FORCE_PATH_STYLE',
  'S3_PREFIX',
];
/** Read by the app yet not set by compose: the replicas share one environment block, and this one must differ per node. */
const LEFT_TO_EACH_REPLICA = ['NODE_ID'];
/**
 * Socket.io's pingInterval plus pingTimeout: how long a healthy long-poll may stay open. The app refuses
 * SOCKET_PING_INTERVAL_MS and SOCKET_PING_TIMEOUT_MS that add up to more, whatever .env sets.
 */
const SOCKET_IO_LONGEST_QUIET_SECONDS = SOCKET_HEARTBEAT_MAX_MS / 1000;
/** A variable holding a secret by its name: TURN_SECRET, POSTGRES_PASSWORD (not PASSWORD_ROUNDS). */
const SECRET_NAME = /(SECRET|PASSWORD)$/;
const TEST_SECRETS = { JWT_SECRET: 'a-jwt-secret-of-at-least-32-characters', POSTGRES_PASSWORD: 'pg-password-for-the-test' };

// ---- .env.example: sections tagged [compose], [api], [api:fixed]; "NAME=value" or "# NAME=example"

type EnvLine = { name: string; value: string; active: boolean };

function parseEnvExample(text: string): Map<string, EnvLine[]> {
  const sections = new Map<string, EnvLine[]>();
  let current: EnvLine[] | undefined;
  for (const line of text.split('\n')) {
    const header = /^# =+ \[([a-z:]+)\]/.exec(line);
    if (header) {
      current = [];
      sections.set(header[1], current);
      continue;
    }
    const variable = /^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (variable && current) current.push({ name: variable[2], value: variable[3], active: !variable[1] });
  }
  return sections;
}

const envExample = parseEnvExample(readText('.env.example'));
const section = (tag: string) => envExample.get(tag) ?? [];
const names = (lines: EnvLine[]) => lines.map((line) => line.name);
const exampleValues = Object.fromEntries(
  [...envExample.values()]
    .flat()
    .filter((line) => line.active)
    .map((line) => [line.name, line.value]),
);

// ---- compose interpolation: $$, ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?error}, ${NAME?error}, $NAME

const REFERENCE = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

function interpolate(text: string, env: Record<string, string | undefined>): string {
  return text.replace(REFERENCE, (match, braced?: string, operator?: string, argument = '', bare?: string) => {
    if (match === '$$') return '$';
    const name = (braced ?? bare)!;
    const value = env[name];
    const unset = value === undefined;
    const empty = unset || value === '';
    switch (operator) {
      case ':-':
        return empty ? argument : value!;
      case '-':
        return unset ? argument : value!;
      case ':+':
        return empty ? '' : argument;
      case '+':
        return unset ? '' : argument;
      case ':?':
      case '?':
        if (operator === ':?' ? empty : unset) throw new Error(`required variable ${name} is missing: ${argument}`);
        return value!;
      default:
        return value ?? '';
    }
  });
}

function mapStrings(node: unknown, change: (text: string) => string): unknown {
  if (typeof node === 'string') return change(node);
  if (Array.isArray(node)) return node.map((item) => mapStrings(item, change));
  if (node && typeof node === 'object') {
    return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, mapStrings(value, change)]));
  }
  return node;
}

function referencedVariables(node: unknown): Set<string> {
  const found = new Set<string>();
  mapStrings(node, (text) => {
    for (const match of text.matchAll(REFERENCE)) if (match[0] !== '$$') found.add((match[1] ?? match[4])!);
    return text;
  });
  return found;
}

// ---- compose shapes

type Service = {
  image?: string;
  build?: unknown;
  ports?: string[];
  volumes?: string[];
  networks?: string[] | Record<string, unknown>;
  environment?: Record<string, string> | string[];
  labels?: Record<string, string> | string[];
  healthcheck?: { test?: string[] | string; disable?: boolean };
  depends_on?: Record<string, { condition?: string }> | string[];
  deploy?: { replicas?: number; labels?: unknown };
};
type Compose = {
  services: Record<string, Service>;
  networks?: Record<string, { name?: string; internal?: boolean } | null>;
  volumes?: Record<string, unknown>;
};

const rawCompose = parse(readText('docker-compose.yml')) as Compose;
const renderCompose = (env: Record<string, string | undefined>) => mapStrings(rawCompose, (text) => interpolate(text, env)) as Compose;
const compose = renderCompose({ ...exampleValues, ...TEST_SECRETS });

function keyValues(entries: Record<string, string> | string[] | undefined, lowerCaseKeys = false): Map<string, string> {
  const pairs: [string, string][] = Array.isArray(entries)
    ? entries.map((entry) => {
        const at = entry.indexOf('=');
        return at < 0 ? [entry, ''] : [entry.slice(0, at), entry.slice(at + 1)];
      })
    : Object.entries(entries ?? {}).map(([key, value]) => [key, String(value)]);
  return new Map(pairs.map(([key, value]) => [lowerCaseKeys ? key.toLowerCase() : key, value]));
}

const environmentOf = (service: Service) => keyValues(service.environment);
// Traefik label keys are case-insensitive.
const labelsOf = (service: Service) => keyValues(service.labels, true);
const networksOf = (service: Service) => (Array.isArray(service.networks) ? service.networks : Object.keys(service.networks ?? {}));

/** Go duration as Traefik reads it ("60s", "1m30s", or a bare number of seconds), in seconds. */
function seconds(duration: string | number): number {
  if (typeof duration === 'number' || /^\d+$/.test(duration)) return Number(duration);
  const units: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001 };
  const parts = [...duration.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)];
  if (parts.length === 0 || parts.map((part) => part[0]).join('') !== duration) throw new Error(`not a duration: ${duration}`);
  return parts.reduce((total, part) => total + Number(part[1]) * units[part[2]], 0);
}

const api = compose.services.api;
const apiEnvironment = environmentOf(api);
const rawApiEnvironment = environmentOf(rawCompose.services.api);
const apiLabels = labelsOf(api);

type TraefikStatic = {
  api?: { dashboard?: boolean; insecure?: boolean };
  entryPoints: Record<
    string,
    {
      address: string;
      transport?: { respondingTimeouts?: { readTimeout?: string; writeTimeout?: string; idleTimeout?: string } };
    }
  >;
  providers: { docker?: { exposedByDefault?: boolean; network?: string }; file?: { filename?: string; directory?: string } };
};
const traefikStatic = parse(readText('traefik/traefik.yml')) as TraefikStatic;
const traefikDynamic = parse(readText('traefik/dynamic.yml')) as { http?: { middlewares?: Record<string, unknown> } };

/** The host path the traefik container sees at `containerPath`, through its bind mounts. */
function hostPathOf(containerPath: string): string | undefined {
  for (const volume of compose.services.traefik.volumes ?? []) {
    const [source, target] = volume.split(':');
    if (!source.startsWith('.')) continue;
    if (containerPath === target || containerPath.startsWith(`${target}/`)) {
      return posix.join(source, posix.relative(target, containerPath));
    }
  }
  return undefined;
}

describe('docker-compose.yml', () => {
  it('runs KurrentDB, PostgreSQL, Redis, Traefik and the api', () => {
    expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(['kurrentdb', 'postgres', 'redis', 'traefik', 'api']));
  });

  it('runs three api replicas, reachable only through Traefik', () => {
    expect(api.deploy?.replicas).toBe(3);
    expect(api.ports ?? []).toEqual([]);
  });

  it('points the api at the postgres, redis and kurrentdb services', () => {
    const postgres = environmentOf(compose.services.postgres);
    const database = new URL(apiEnvironment.get('DATABASE_URL')!);
    expect(database.protocol).toMatch(/^postgres(ql)?:$/);
    expect(database.hostname).toBe('postgres');
    expect(database.port || '5432').toBe('5432');
    expect(database.username).toBe(postgres.get('POSTGRES_USER'));
    expect(database.password).toBe(TEST_SECRETS.POSTGRES_PASSWORD);
    expect(database.pathname).toBe(`/${postgres.get('POSTGRES_DB')}`);

    const redis = new URL(apiEnvironment.get('REDIS_URL')!);
    expect(redis.protocol).toBe('redis:');
    expect(redis.hostname).toBe('redis');

    const eventStore = new URL(apiEnvironment.get('EVENTSTORE_URL')!);
    expect(eventStore.protocol).toMatch(/^(esdb|kurrentdb):$/);
    expect(eventStore.hostname).toBe('kurrentdb');
    expect(eventStore.port).toBe('2113');
    const insecure = environmentOf(compose.services.kurrentdb).get('KURRENTDB_INSECURE') === 'true';
    expect(eventStore.searchParams.get('tls')).toBe(insecure ? 'false' : 'true');

    for (const store of ['postgres', 'redis', 'kurrentdb']) {
      const shared = networksOf(compose.services[store]).filter((network) => networksOf(api).includes(network));
      expect(shared, `api and ${store} share a network`).not.toEqual([]);
    }
  });

  it('takes every secret from .env, and refuses to start without one', () => {
    for (const [serviceName, service] of Object.entries(rawCompose.services)) {
      for (const [name, value] of environmentOf(service)) {
        if (SECRET_NAME.test(name)) expect(value, `${serviceName}.${name}`).toContain(`\${${name}`);
      }
    }
    expect(rawApiEnvironment.get('JWT_SECRET')).toMatch(/^\$\{JWT_SECRET:\?[^}]+\}$/);
    expect(environmentOf(rawCompose.services.postgres).get('POSTGRES_PASSWORD')).toMatch(/^\$\{POSTGRES_PASSWORD:\?[^}]+\}$/);
    expect(rawApiEnvironment.get('DATABASE_URL')).toContain('${POSTGRES_PASSWORD:?');

    for (const line of [...envExample.values()].flat()) {
      if (SECRET_NAME.test(line.name)) expect(line.value, `${line.name} in .env.example`).toBe('');
    }
    expect(() => renderCompose(exampleValues)).toThrow(/POSTGRES_PASSWORD|JWT_SECRET/);
    expect(() => renderCompose({ ...exampleValues, POSTGRES_PASSWORD: 'x' })).toThrow(/JWT_SECRET/);
  });

  it('passes the api exactly the variables the app reads', () => {
    const passed = [...apiEnvironment.keys()];
    expect(passed.filter((name) => !APP_READS.includes(name))).toEqual([]);
    expect(APP_READS.filter((name) => !passed.includes(name))).toEqual(LEFT_TO_EACH_REPLICA);
  });

  it('sets PROJECTIONS on for every replica, which elect their leader themselves', () => {
    expect(apiEnvironment.get('PROJECTIONS')).toBe('on');
    expect(apiEnvironment.get('NODE_ENV')).toBe('production');
    expect(apiEnvironment.get('HOST')).toBe('0.0.0.0');
  });

  it('waits for healthy data stores before starting the api', () => {
    const dependsOn = api.depends_on as Record<string, { condition?: string }>;
    for (const store of ['postgres', 'redis', 'kurrentdb']) {
      expect(dependsOn?.[store]?.condition, `api depends on ${store}`).toBe('service_healthy');
    }
  });

  it('health-checks postgres, redis, kurrentdb and the api (on /readyz)', () => {
    for (const name of ['postgres', 'redis', 'kurrentdb', 'api']) {
      const check = compose.services[name].healthcheck;
      expect(check?.disable, name).not.toBe(true);
      expect([check?.test].flat().join(' '), name).toMatch(/\S/);
    }
    expect([api.healthcheck?.test].flat().join(' ')).toContain('/readyz');
  });

  it('keeps the event log, the read models and the uploaded files (shared by the replicas) in named volumes', () => {
    const namedVolumeAt = (service: Service, target: string) =>
      (service.volumes ?? []).map((volume) => volume.split(':')).find(([, mountedAt]) => mountedAt === target)?.[0];
    for (const [service, target] of [
      ['postgres', '/var/lib/postgresql/data'],
      ['kurrentdb', '/var/lib/kurrentdb'],
      ['api', '/var/lib/derbel/attachments'],
    ]) {
      const volume = namedVolumeAt(compose.services[service], target);
      expect(volume, `${service} volume at ${target}`).toBeDefined();
      expect(Object.keys(compose.volumes ?? {})).toContain(volume);
    }
  });
});

describe('the variables the app reads', () => {
  it('are the ones infrastructure/config reads', () => {
    const configFolder = 'infrastructure/config';
    const sources = readdirSync(join(root, configFolder))
      .filter((file) => file.endsWith('.ts') && !file.endsWith('.spec.ts'))
      .map((file) => readText(`${configFolder}/${file}`));
    const read = new Set(
      sources.flatMap((source) => [...source.matchAll(/\bread\.\w+\(\s*'([A-Z][A-Z0-9_]*)'/g)].map((match) => match[1])),
    );
    expect([...read].sort(), 'update APP_READS, .env.example and docker-compose.yml together').toEqual([...APP_READS].sort());
  });

  it('accept the environment compose gives each api node', () => {
    const config = loadConfig(Object.fromEntries(apiEnvironment));
    expect(config).toMatchObject({ nodeEnv: 'production', port: 3000, host: '0.0.0.0', projectionsEnabled: true, cookieSecure: false });
    expect([config.databaseUrl, config.redisUrl, config.eventStoreUrl]).toEqual([
      apiEnvironment.get('DATABASE_URL'),
      apiEnvironment.get('REDIS_URL'),
      apiEnvironment.get('EVENTSTORE_URL'),
    ]);
  });

  it("accept compose's own fallbacks, when .env holds only the required secrets", () => {
    expect(() => loadConfig(Object.fromEntries(environmentOf(renderCompose(TEST_SECRETS).services.api)))).not.toThrow();
  });

  it('accept every example value .env.example shows', () => {
    const examples = Object.fromEntries(section('api').map((line) => [line.name, line.value]));
    const env = { ...exampleValues, ...examples, ...TEST_SECRETS, TURN_SECRET: 'a-turn-secret' };
    expect(() => loadConfig(Object.fromEntries(environmentOf(renderCompose(env).services.api)))).not.toThrow();
  });
});

describe('.env.example', () => {
  it('documents every variable the app reads, and no other, under [api] and [api:fixed]', () => {
    const documented = [...names(section('api')), ...names(section('api:fixed'))];
    expect([...documented].sort()).toEqual([...APP_READS].sort());
  });

  it('lists under [api] what .env may set, and under [api:fixed] what compose sets itself', () => {
    for (const name of names(section('api'))) {
      expect(rawApiEnvironment.get(name), `api.environment.${name} reads \${${name}}`).toContain(`\${${name}`);
    }
    for (const name of names(section('api:fixed'))) {
      expect(rawApiEnvironment.get(name) ?? '', `api.environment.${name} is fixed`).not.toContain(`\${${name}`);
      expect(section('api:fixed').find((line) => line.name === name)?.active, `${name} is commented out`).toBe(false);
    }
  });

  it('documents every variable docker-compose.yml reads, and nothing it does not', () => {
    const used = [...referencedVariables(rawCompose)].sort();
    const settable = [...names(section('compose')), ...names(section('api'))].sort();
    expect(used).toEqual(settable);
  });
});

describe('Traefik', () => {
  const routerLabel = (key: string) => apiLabels.get(`traefik.http.routers.api.${key}`);
  const serviceName = () => (routerLabel('service') ?? 'api').toLowerCase();
  const serviceLabel = (key: string) => apiLabels.get(`traefik.http.services.${serviceName()}.loadbalancer.${key}`);

  it('discovers the api replicas through labels on their containers', () => {
    expect(traefikStatic.providers.docker?.exposedByDefault).toBe(false);
    expect(apiLabels.get('traefik.enable')).toBe('true');
    expect(api.deploy?.labels, 'deploy.labels are service labels, which the docker provider ignores').toBeUndefined();
    expect(compose.services.traefik.volumes).toContain('/var/run/docker.sock:/var/run/docker.sock:ro');
  });

  it('reaches the replicas on a network it shares with them', () => {
    const network = traefikStatic.providers.docker?.network;
    const [key] = Object.entries(compose.networks ?? {}).find(([, definition]) => definition?.name === network) ?? [];
    expect(key, `a compose network named ${network}`).toBeDefined();
    expect(networksOf(compose.services.traefik)).toContain(key);
    expect(networksOf(api)).toContain(key);
  });

  it('routes the api through the one entry point traefik.yml defines, published by compose', () => {
    const entryPoints = Object.keys(traefikStatic.entryPoints);
    expect(entryPoints).toHaveLength(1);
    expect(routerLabel('entrypoints')?.split(',')).toEqual(entryPoints);

    const listensOn = traefikStatic.entryPoints[entryPoints[0]].address.split(':').at(-1);
    const published = (compose.services.traefik.ports ?? []).map((mapping) => mapping.split(':').at(-1)?.split('/')[0]);
    expect(published).toContain(listensOn);
  });

  it('keeps each Socket.io session on one node with a sticky cookie', () => {
    expect(serviceLabel('sticky.cookie.name')).toMatch(/^\w+$/);
    expect(serviceLabel('sticky.cookie.httponly')).toBe('true');
    expect(serviceLabel('sticky.cookie.secure')).toBe(apiEnvironment.get('COOKIE_SECURE'));
  });

  it('forwards to the port the api listens on and probes it on /readyz', () => {
    expect(serviceLabel('server.port')).toBe(apiEnvironment.get('PORT'));
    expect(serviceLabel('healthcheck.path')).toBe('/readyz');
  });

  it("keeps connections open longer than Socket.io's ping interval plus timeout", () => {
    for (const [name, entryPoint] of Object.entries(traefikStatic.entryPoints)) {
      const timeouts = entryPoint.transport?.respondingTimeouts;
      expect(seconds(timeouts?.readTimeout ?? '0'), `${name} readTimeout`).toBeGreaterThan(SOCKET_IO_LONGEST_QUIET_SECONDS);
      expect(seconds(timeouts?.idleTimeout ?? '0'), `${name} idleTimeout`).toBeGreaterThan(SOCKET_IO_LONGEST_QUIET_SECONDS);
      const write = seconds(timeouts?.writeTimeout ?? '0');
      expect(write === 0 || write > SOCKET_IO_LONGEST_QUIET_SECONDS, `${name} writeTimeout`).toBe(true);
    }
  });

  it('loads its configuration files from traefik/ and finds the middlewares the router uses', () => {
    // Traefik looks for its static configuration at /etc/traefik/traefik.yml.
    const staticFile = hostPathOf('/etc/traefik/traefik.yml');
    expect(staticFile).toBe('traefik/traefik.yml');
    const dynamicFile = hostPathOf(traefikStatic.providers.file?.filename ?? '');
    expect(dynamicFile).toBe('traefik/dynamic.yml');
    for (const file of [staticFile!, dynamicFile!]) expect(existsSync(join(root, file)), file).toBe(true);

    const fileMiddlewares = (routerLabel('middlewares') ?? '').split(',').filter((name) => name.endsWith('@file'));
    for (const middleware of fileMiddlewares) {
      expect(traefikDynamic.http?.middlewares, middleware).toHaveProperty(middleware.replace(/@file$/, ''));
    }
  });

  it('leaves the dashboard and API closed', () => {
    expect(traefikStatic.api?.dashboard ?? false).toBe(false);
    expect(traefikStatic.api?.insecure ?? false).toBe(false);
  });
});

describe('the wiring checks themselves', () => {
  it('interpolate like compose does', () => {
    const env = { SET: 'value', EMPTY: '' };
    expect(interpolate('a${SET}b $SET $$SET', env)).toBe('avalueb value $SET');
    expect(interpolate('${EMPTY:-fallback}|${EMPTY-fallback}|${MISSING-fallback}', env)).toBe('fallback||fallback');
    expect(() => interpolate('${EMPTY:?needed}', env)).toThrow(/EMPTY/);
    expect(interpolate('${EMPTY?needed}', env)).toBe('');
  });

  it('read Go durations', () => {
    expect([seconds('60s'), seconds('1m30s'), seconds(90), seconds('0s'), seconds('500ms')]).toEqual([60, 90, 90, 0, 0.5]);
    expect(() => seconds('soon')).toThrow();
  });
});
