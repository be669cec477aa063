import { isIP } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../http/error-codes.js';
import type { Metrics } from './metrics.js';

/** Loopback and private networks: a Prometheus scraping a node directly, not the public through Traefik. */
export function isInternalAddress(ip: string): boolean {
  const v4 = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
  if (isIP(v4) === 4) {
    const [a, b] = v4.split('.').map(Number);
    return a === 127 || a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
  }
  return ip === '::1' || /^f[cd][0-9a-f]{2}:/i.test(ip);
}

/** Times every request into the latency histogram and serves `GET /metrics` in Prometheus format. */
export function registerHttpMetrics(app: FastifyInstance, metrics: Metrics) {
  app.addHook('onResponse', async (request, reply) => {
    // The route pattern, not the URL: ids in paths would make one series per message.
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpDuration.observe({ method: request.method, route, status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });

  app.get('/metrics', { schema: { hide: true }, logLevel: 'warn' }, async (request, reply) => {
    // request.ip is the real client behind a trusted proxy, so the public never reads the metrics.
    // A forwarded request whose proxy is not trusted came through some proxy from who knows where.
    const forwardedUntrusted = request.headers['x-forwarded-for'] !== undefined && request.ip === request.socket.remoteAddress;
    if (!isInternalAddress(request.ip) || forwardedUntrusted) throw new HttpError(404, 'NOT_FOUND', 'No route GET /metrics');
    const { contentType, body } = await metrics.scrape();
    return reply.type(contentType).send(body);
  });
}
