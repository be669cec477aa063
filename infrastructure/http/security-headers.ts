import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/config.js';

/**
 * Security headers on every response (`@fastify/helmet`). The web app runs under a CSP without inline
 * scripts; only the configured embed origins may frame it; nothing leaks the page's address to the sites
 * a message links to. Styles may be inline: the page's one `<style>` and Lit's `styleMap` need it.
 */
export async function registerSecurityHeaders(app: FastifyInstance, config: Config) {
  const embedding = config.corsOrigins.length > 0;
  await app.register(helmet, {
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
  });
  if (embedding) {
    app.addHook('onSend', async (request, reply) => {
      if (request.url === '/embed.js' || request.url.startsWith('/assets/')) reply.header('cross-origin-resource-policy', 'cross-origin');
    });
  }
}
