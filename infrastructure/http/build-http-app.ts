import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { AppContext } from '../app-context.js';
import { registerHttpMetrics } from '../observability/http-metrics.js';
import type { Metrics } from '../observability/metrics.js';
import { registerAuthentication } from './authenticate.js';
import { registerCompression } from './compression.js';
import { registerEmojiData } from './emoji-data.js';
import { registerErrorHandler } from './error-handler.js';
import { registerReadYourWrites } from './read-your-writes.js';
import { requestIdOf } from './request-id.js';
import { registerSecurityHeaders } from './security-headers.js';
import { registerValidatorCompiler } from './validator-compiler.js';
import { attachmentRoutes } from './routes/attachments.routes.js';
import { accountRoutes, signInRoutes } from './routes/accounts.routes.js';
import { blockRoutes } from './routes/blocks.routes.js';
import { contactRoutes } from './routes/contacts.routes.js';
import { conversationRoutes } from './routes/conversations.routes.js';
import { conversationReadRoutes } from './routes/conversation-reads.routes.js';
import { eventRoutes } from './routes/events.routes.js';
import { healthRoutes } from './routes/health.routes.js';
import { iceServerRoutes } from './routes/ice-servers.routes.js';
import { meetingRoutes } from './routes/meetings.routes.js';
import { messageRoutes } from './routes/messages.routes.js';
import { searchRoutes } from './routes/search.routes.js';
import { userRoutes } from './routes/users.routes.js';
import { ErrorResponse } from './schemas.js';
import { buildSerializer } from './serializer-compiler.js';

const WEB_DIST = fileURLToPath(new URL('../../web/dist/', import.meta.url));

export type RouteModule = (ctx: AppContext) => FastifyPluginAsyncTypebox;

/** External plugins, then our cross-cutting plugins, then routes (the fastify/demo order). */
export async function buildHttpApp(
  ctx: AppContext,
  options: { logger: Logger; redis?: Redis; publicRoutes?: RouteModule[]; signedInRoutes?: RouteModule[]; metrics?: Metrics },
): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: options.logger as unknown as FastifyBaseLogger,
    genReqId: requestIdOf,
    requestIdHeader: false,
    bodyLimit: 256 * 1024,
    // X-Forwarded-For is believed only from the proxies TRUST_PROXY names (Traefik, the cluster proxy):
    // otherwise anyone could rotate it to reset the per-address limits.
    trustProxy: ctx.config.trustProxy.length > 0 ? ctx.config.trustProxy : false,
    schemaController: { compilersFactory: { buildSerializer } },
  }).withTypeProvider<TypeBoxTypeProvider>();
  registerValidatorCompiler(app);
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  await app.register(swagger, {
    openapi: {
      info: { title: 'Derbel API', version: '1.0.0', description: 'Event-sourced messaging and meetings' },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, cookie: { type: 'apiKey', in: 'cookie', name: 'derbel_session' } },
      },
      security: [{ bearer: [] }, { cookie: [] }],
    },
  });
  app.addSchema(ErrorResponse);
  await app.register(cookie);
  await registerSecurityHeaders(app, ctx.config);
  // The plugin allows only GET, HEAD and POST unless told: embeds edit (PATCH), react (PUT) and delete too.
  await app.register(cors, {
    origin: ctx.config.corsOrigins,
    credentials: true,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
  });
  await registerCompression(app);
  await app.register(rateLimit, {
    global: false,
    hook: 'preHandler',
    redis: options.redis,
    nameSpace: 'derbel-rate-limit:',
    skipOnError: true,
    errorResponseBuilder: (_request, context) => ({
      statusCode: 429,
      code: 'RATE_LIMITED',
      message: `Too many attempts; try again in ${Math.ceil(context.ttl / 1000)} s`,
      retryAfterMs: context.ttl,
    }),
  });

  registerErrorHandler(app);
  if (options.metrics) registerHttpMetrics(app, options.metrics);
  registerAuthentication(app, ctx);
  registerReadYourWrites(app, ctx);

  // Open to anyone: health, signing up and in, trading a refresh token for a session.
  for (const routes of [healthRoutes, signInRoutes, ...(options.publicRoutes ?? [])]) await app.register(routes(ctx));
  // Everything else needs a signed-in session, checked by this one hook before the body is even read.
  await app.register(async (signedIn) => {
    signedIn.addHook('onRequest', signedIn.authenticate);
    for (const routes of [
      accountRoutes,
      userRoutes,
      contactRoutes,
      conversationReadRoutes,
      blockRoutes,
      messageRoutes,
      conversationRoutes,
      searchRoutes,
      attachmentRoutes,
      eventRoutes,
      meetingRoutes,
      iceServerRoutes,
      ...(options.signedInRoutes ?? []),
    ]) {
      await signedIn.register(routes(ctx));
    }
  });
  app.get('/api/docs/json', { schema: { hide: true } }, async () => app.swagger());

  await registerEmojiData(app);
  if (existsSync(WEB_DIST)) {
    if (ctx.config.nodeEnv === 'production') {
      // Source maps would publish the front end's source and comments; they are for development.
      app.addHook('onRequest', async (request, reply) => {
        const path = request.url.split('?')[0];
        if (path.endsWith('.map'))
          return reply.status(404).send({ statusCode: 404, code: 'NOT_FOUND', message: `No route ${request.method} ${path}` });
      });
    }
    await app.register(fastifyStatic, {
      root: WEB_DIST,
      prefix: '/',
      wildcard: false,
      // The build writes each file's .br and .gz beside it (web/vite.config.ts): sent as they are, never compressed per request.
      preCompressed: true,
      cacheControl: false,
      setHeaders: (reply, path) => reply.header('cache-control', cacheControlOf(path)),
    });
    app.get('/*', { schema: { hide: true } }, (request, reply) => {
      const path = request.url.split('?')[0];
      if (!isAppAddress(path)) return reply.status(404).send({ statusCode: 404, code: 'NOT_FOUND', message: `No route GET ${path}` });
      return reply.sendFile('index.html');
    });
  }
  return app;
}

/**
 * A file under `assets/` has its content's hash in its name, so a browser may keep it a year untouched; the
 * others (the app page, `embed.js`, which third-party pages load by name) are asked again every time and
 * answered 304 while unchanged, so a deploy reaches everyone at their next load.
 */
function cacheControlOf(path: string) {
  return path.startsWith(`${WEB_DIST}assets/`) ? 'public, max-age=31536000, immutable' : 'no-cache';
}

/**
 * An address of the single-page app, answered with its page: not the API, not Socket.io, and not a file. A
 * missing file (a chunk name from before a deploy, in a tab opened before it) is a 404: HTML in its place
 * would fail as a script with a confusing error instead of a plain "not found".
 */
function isAppAddress(path: string) {
  if (path.startsWith('/api/') || path.startsWith('/socket.io/') || path.startsWith('/assets/')) return false;
  return !/\.[A-Za-z0-9]+$/.test(path.slice(path.lastIndexOf('/') + 1));
}
