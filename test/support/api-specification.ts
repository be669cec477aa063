import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import type pg from 'pg';
import { expect } from 'vitest';
import { AccountService } from '../../application/accounts/account-service.js';
import { BlockList } from '../../application/contacts/block-list.js';
import { ContactService } from '../../application/contacts/contact-service.js';
import { GroupService } from '../../application/contacts/group-service.js';
import { MeetingService } from '../../application/meetings/meeting-service.js';
import type { SessionRepository } from '../../application/ports/auth.js';
import type { RecordedEvent } from '../../application/ports/event-store.js';
import type { Clock, IdGenerator } from '../../application/shared/clock.js';
import type { AppContext } from '../../infrastructure/app-context.js';
import { JwtTokenService } from '../../infrastructure/auth/jwt-token-service.js';
import { loadConfig } from '../../infrastructure/config/config.js';
import { InMemoryEventStore } from '../../infrastructure/event-store/in-memory-event-store.js';
import { buildHttpApp } from '../../infrastructure/http/build-http-app.js';
import { createLogger } from '../../infrastructure/logger.js';
import { Limiters } from '../../infrastructure/rate-limits/limiters.js';

/**
 * Specifications of the application's rules through the real HTTP app (routes, validation, authentication,
 * error mapping) over Fastify's `inject()`, on the in-memory event store: no PostgreSQL, no sockets, so each
 * runs in milliseconds. Shaped like Emmett's `ApiSpecification`:
 *
 *     await given(existingStream(streams.contact(contactId), [contactAdded]))
 *       .when((api) => api.as(ana).post(`/api/contacts/${contactId}/meetings`))
 *       .then(expectResponse(201), expectNewEvents(streams.meetingSlot(contactId), [{ type: 'MeetingSlotClaimed' }]));
 *
 * Only the write side is here: a route that reads a read model fails loudly (its tests stay integration tests).
 */

export interface GivenEvent {
  type: string;
  data: unknown;
}
export interface TestStream {
  stream: string;
  events: GivenEvent[];
}
export const existingStream = (stream: string, events: GivenEvent[]): TestStream => ({ stream, events });

export interface Requests {
  /** Requests signed in as `userId` (a bearer token of an active session). */
  as(userId: string): Requester;
  /** Requests with no session. */
  anonymous: Requester;
}
export interface Requester {
  get(url: string): Promise<LightMyRequestResponse>;
  post(url: string, body?: unknown): Promise<LightMyRequestResponse>;
  patch(url: string, body?: unknown): Promise<LightMyRequestResponse>;
  delete(url: string): Promise<LightMyRequestResponse>;
}

/** The request a spec makes, given who may make it. */
export type ApiRequest = (api: Requests) => Promise<LightMyRequestResponse>;

/** What `then` checks: the response, and the events the request appended (by stream). */
export interface Outcome {
  response: LightMyRequestResponse;
  newEvents: RecordedEvent[];
  store: InMemoryEventStore;
}
export type Check = (outcome: Outcome) => void | Promise<void>;

export const expectResponse =
  (statusCode: number, body?: unknown): Check =>
  ({ response }) => {
    expect({ statusCode: response.statusCode, body: response.json() }).toMatchObject(
      body === undefined ? { statusCode } : { statusCode, body },
    );
  };

/** An error response: `{ statusCode, code }` as the error handler sends it. */
export const expectError = (statusCode: number, code: string, extra: Record<string, unknown> = {}): Check =>
  expectResponse(statusCode, { statusCode, code, message: expect.any(String), ...extra });

/** The events appended to `stream`, in order, each matched (`toMatchObject`) against `{ type, data? }`. */
export const expectNewEvents =
  (stream: string, events: Array<{ type: string; data?: unknown }>): Check =>
  ({ newEvents }) => {
    expect(newEvents.filter((e) => e.streamId === stream).map(({ type, data }) => ({ type, data }))).toMatchObject(events);
  };

/** No stream was appended to. */
export const expectNoNewEvents =
  (): Check =>
  ({ newEvents }) => {
    expect(newEvents.map((e) => `${e.streamId}: ${e.type}`)).toEqual([]);
  };

const JWT_SECRET = 'api-specification-secret-long-enough-0123456789';
const START = new Date('2026-12-01T10:00:00.000Z');

/** The ids it hands out, in order: `specId(1)`, `specId(2)`, … (readable in assertions). */
export const specId = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

/** Sessions only this process knows: every session a spec signs in with is active. */
class MemorySessions implements SessionRepository {
  private readonly active = new Set<string>();
  async create({ id }: { id: string }) {
    this.active.add(id);
  }
  async isActive(sessionId: string) {
    return this.active.has(sessionId);
  }
  async revoke(sessionId: string) {
    this.active.delete(sessionId);
  }
  forget() {}
}

/** No read models here: a route that queries one fails the spec instead of passing by accident. */
const noDatabase = new Proxy({} as pg.Pool, {
  get: () => () => {
    throw new Error('an API specification has no PostgreSQL: test routes that read read models with an integration test');
  },
});

export const ApiSpecification = {
  /** One HTTP app for a file's specs; every `given` starts from an empty store, fresh services and limits. */
  for(options: { env?: Record<string, string>; ringTimeoutMs?: number } = {}) {
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', JWT_SECRET, ...options.env });
    const tokens = new JwtTokenService(JWT_SECRET, config.jwtExpiresInSeconds);
    const sessions = new MemorySessions();
    const ctx = { config, pool: noDatabase, tokens, sessions } as unknown as AppContext;
    let app: Promise<FastifyInstance> | undefined;

    const scenario = (given: TestStream[]) => {
      let n = 0;
      const ids: IdGenerator = { newId: () => specId(++n) };
      const clock: Clock = { now: () => START };
      const store = new InMemoryEventStore();
      const accounts = new AccountService({ store, clock, ids, tokens, sessions } as unknown as ConstructorParameters<
        typeof AccountService
      >[0]);
      const contacts = new ContactService(store, accounts, new BlockList(store, { clock, ids }), {
        clock,
        ids,
        requestCooldownMs: config.contactRequestCooldownSeconds * 1000,
      });
      const meetings = new MeetingService(store, contacts, {
        clock,
        ids,
        ringTimeoutMs: options.ringTimeoutMs ?? config.meetingRingTimeoutMs,
      });
      contacts.endsCallsThrough(meetings);
      const groups = new GroupService(contacts, accounts, { ids });
      Object.assign(ctx, { store, clock, ids, accounts, contacts, groups, meetings, limits: new Limiters(config.rateLimits) });
      return { store, given };
    };

    return (...given: TestStream[]) => ({
      when: (request: ApiRequest) => ({
        then: async (...checks: Check[]) => {
          const { store } = scenario(given);
          let givenCount = 0;
          for (const { stream, events } of given) {
            await store.appendToStream(
              stream,
              events.map((event) => ({
                id: specId(900_000 + ++givenCount),
                type: event.type,
                data: event.data,
                metadata: { userId: null, correlationId: 'given', causationId: 'given', timestamp: START.toISOString() },
              })),
            );
          }
          const before = await store.headPosition();
          app ??= buildHttpApp(ctx, { logger: createLogger('silent') }).then(async (built) => (await built.ready(), built));
          const fastify = await app;
          const requester = (headers: Record<string, string>): Requester => {
            const send = (method: InjectOptions['method'], url: string, body?: unknown) =>
              fastify.inject({ method, url, headers, ...(body === undefined ? {} : { payload: body as InjectOptions['payload'] }) });
            return {
              get: (url) => send('GET', url),
              post: (url, body) => send('POST', url, body),
              patch: (url, body) => send('PATCH', url, body),
              delete: (url) => send('DELETE', url),
            };
          };
          let sessionCount = 0;
          const response = await request({
            as: (userId) => {
              const sessionId = specId(800_000 + ++sessionCount);
              void sessions.create({ id: sessionId });
              return requester({ authorization: `Bearer ${tokens.issue({ userId, sessionId }).token}` });
            },
            anonymous: requester({}),
          });
          const newEvents = await store.readAll({ after: before, limit: 10_000 });
          for (const check of checks) await check({ response, newEvents, store });
        },
      }),
    });
  },
};
