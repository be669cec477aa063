// The HAProxy of `npm run cluster` and the multi-node tests must stay configured as Traefik is in the Docker
// deployment (docs/deployment.md, "HAProxy and Traefik"): this reads both and compares them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { haproxyConfig, STICKY_COOKIE } from '../../infrastructure/cli/haproxy/haproxy-config.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8')) as { services: { api: { labels: string[] } } };
const traefik = parse(readFileSync(join(root, 'traefik/traefik.yml'), 'utf8')) as {
  entryPoints: Record<string, { transport?: { respondingTimeouts?: Record<string, string> } }>;
};
const label = (key: string) =>
  compose.services.api.labels
    .find((entry) => entry.toLowerCase().startsWith(`traefik.http.services.api.loadbalancer.${key}=`))
    ?.split('=')[1];
const timeouts = traefik.entryPoints.web.transport!.respondingTimeouts!;

const config = haproxyConfig({
  host: '127.0.0.1',
  port: 3000,
  upstreams: [{ id: 'node-1', host: '127.0.0.1', port: 3001 }],
  healthIntervalMs: 1_000,
  statsSocket: '/tmp/admin.sock',
  unavailableFile: '/tmp/503.http',
});
const line = (start: string) =>
  config
    .split('\n')
    .find((l) => l.trim().startsWith(start))
    ?.trim();

describe('HAProxy (npm run cluster, multi-node tests) is configured as Traefik is', () => {
  it('pins a Socket.io session with the same sticky cookie', () => {
    expect(label('sticky.cookie')).toBe('true');
    expect(label('sticky.cookie.name')).toBe(STICKY_COOKIE);
    expect(line('cookie ')).toMatch(new RegExp(`^cookie ${STICKY_COOKIE} insert indirect`));
    expect(label('sticky.cookie.httponly')).toBe('true');
    expect(line('cookie ')).toContain('httponly');
    expect(label('sticky.cookie.samesite')).toBe('lax');
    expect(line('cookie ')).toContain('SameSite=Lax');
  });

  it('checks each node on the same path with the same timeout, and only a 200 keeps it in rotation', () => {
    expect(line('option httpchk')).toBe(`option httpchk GET ${label('healthcheck.path')}`);
    expect(line('http-check expect')).toBe('http-check expect status 200');
    expect(line('timeout check')).toBe(`timeout check ${label('healthcheck.timeout')}`);
  });

  it('keeps connections open as long as Traefik does', () => {
    expect(line('timeout client')).toBe(`timeout client ${timeouts.readTimeout}`);
    expect(line('timeout http-keep-alive')).toBe(`timeout http-keep-alive ${timeouts.idleTimeout}`);
    expect(line('timeout tunnel')).toBe(`timeout tunnel ${timeouts.idleTimeout}`);
    // Traefik has no write timeout; HAProxy's server timeout must outlast the longest long-poll.
    expect(timeouts.writeTimeout).toBe('0s');
    expect(line('timeout server')).toBe(`timeout server ${timeouts.readTimeout}`);
  });
});
