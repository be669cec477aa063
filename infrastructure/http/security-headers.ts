import helmet, { type FastifyHelmetOptions } from '@fastify/helmet';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Config } from '../config/config.js';

/**
 * Security headers on every response, as `@fastify/helmet` writes them. The web app runs under a CSP without
 * inline scripts; only the configured embed origins may frame it; nothing leaks the page's address to the sites
 * a message links to. Styles may be inline: the page's one `<style>` and Lit's `styleMap` need it.
 */
export async function registerSecurityHeaders(app: FastifyInstance, config: Config) {
  const embedding = config.corsOrigins.length > 0;
  // The plugin builds helmet's middlewares anew for every response (issue 21: 4.5 % of a read node's CPU);
  // none of ours depends on the request, so they are written once here and copied onto each response.
  const headers = await headersOf(helmetOptions(config));
  app.addHook('onRequest', (_request, reply, done) => {
    for (const [name, value] of headers) reply.raw.setHeader(name, value);
    done();
  });
  if (embedding) {
    app.addHook('onSend', async (request, reply) => {
      if (request.url === '/embed.js' || request.url.startsWith('/assets/')) reply.header('cross-origin-resource-policy', 'cross-origin');
    });
  }
}

function helmetOptions(config: Config): FastifyHelmetOptions {
  const embedding = config.corsOrigins.length > 0;
  return {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'style-src': ["'self'", "'unsafe-inline'"],
        'img-src': ["'self'", 'data:', 'blob:'],
        'media-src': ["'self'", 'blob:', 'mediastream:'],
        // 'self' covers the page's own ws:/wss: in CSP3; the others are for older engines.
        'connect-src': ["'self'", 'ws:', 'wss:'],
        'font-src': ["'self'", 'data:'],
        'object-src': ["'none'"],
        'base-uri': ["'self'"],
        'form-action': ["'self'"],
        'frame-ancestors': ["'self'", ...config.corsOrigins],
        ...(config.cookieSecure ? { 'upgrade-insecure-requests': [] } : {}),
      },
    },
    // X-Frame-Options cannot name several origins: with embed origins, frame-ancestors alone decides.
    frameguard: embedding ? false : { action: 'sameorigin' },
    referrerPolicy: { policy: 'no-referrer' },
    // Scripts of the embeddable build are loaded by other sites' pages; everything else stays same-site.
    crossOriginResourcePolicy: { policy: 'same-site' },
    hsts: config.cookieSecure ? { maxAge: 15_552_000, includeSubDomains: true } : false,
  };
}

/** A response's headers as set so far, names as they will be written (Node has it; its types do not yet). */
type HeaderNames = { getRawHeaderNames(): string[] };
type Header = [name: string, value: string | number | string[]];

/**
 * The headers the plugin sets with `options`, in its order: read once from a throwaway instance, in the
 * handler, before Fastify adds its own.
 */
async function headersOf(options: FastifyHelmetOptions): Promise<Header[]> {
  const probe = Fastify();
  let headers: Header[] = [];
  await probe.register(helmet, options);
  probe.get('/', (_request, reply) => {
    const names = (reply.raw as unknown as HeaderNames).getRawHeaderNames();
    headers = names.map((name) => [name, reply.raw.getHeader(name)!]);
    return reply.send();
  });
  await probe.inject('/');
  await probe.close();
  return headers;
}
