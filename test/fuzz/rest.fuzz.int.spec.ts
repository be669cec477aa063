import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectStillServing, startFuzzTarget, type FuzzTarget } from './fuzz-target.js';
import { fuzzRuns, oddBody, oddString, RAW_BODIES } from './odd-values.js';

const RUNS = fuzzRuns('FUZZ_REST_RUNS', 400);

type Ids = { contactId: string; messageId: string; meetingId: string; attachmentId: string; requestId: string; strangerId: string };
interface Route {
  method: string;
  path: (ids: Ids, odd: (real: string) => string) => string;
  query?: string[];
  body?: string[];
  /** Acts as nobody: no token. */
  anonymous?: boolean;
}

const THUMBS = encodeURIComponent('👍');

/** Every route (signing out excepted: it would end the fuzzer's own session). */
const ROUTES: Route[] = [
  { method: 'POST', path: () => '/api/accounts', body: ['username', 'displayName', 'password'], anonymous: true },
  { method: 'POST', path: () => '/api/sessions', body: ['username', 'password'], anonymous: true },
  { method: 'GET', path: () => '/api/me' },
  { method: 'GET', path: () => '/api/users', query: ['query', 'minPosition'] },
  { method: 'POST', path: () => '/api/contacts', body: ['username', 'message'] },
  { method: 'GET', path: () => '/api/contacts', query: ['minPosition'] },
  { method: 'POST', path: (i, o) => `/api/contacts/${o(i.requestId)}/accept` },
  { method: 'POST', path: (i, o) => `/api/contacts/${o(i.requestId)}/decline` },
  { method: 'DELETE', path: (i, o) => `/api/contacts/${o(i.requestId)}` },
  { method: 'POST', path: () => '/api/blocks', body: ['userId'] },
  { method: 'DELETE', path: (i, o) => `/api/blocks/${o(i.strangerId)}` },
  { method: 'GET', path: () => '/api/blocks', query: ['minPosition'] },
  { method: 'POST', path: (i, o) => `/api/contacts/${o(i.contactId)}/messages`, body: ['id', 'text', 'replyTo'] },
  { method: 'GET', path: (i, o) => `/api/contacts/${o(i.contactId)}/messages`, query: ['before', 'after', 'limit', 'asOf', 'minPosition'] },
  { method: 'PATCH', path: (i, o) => `/api/contacts/${o(i.contactId)}/messages/${o(i.messageId)}`, body: ['text'] },
  { method: 'DELETE', path: (i, o) => `/api/contacts/${o(i.contactId)}/messages/${o(i.messageId)}` },
  { method: 'PUT', path: (i, o) => `/api/contacts/${o(i.contactId)}/messages/${o(i.messageId)}/reactions/${o(THUMBS)}` },
  { method: 'DELETE', path: (i, o) => `/api/contacts/${o(i.contactId)}/messages/${o(i.messageId)}/reactions/${o(THUMBS)}` },
  { method: 'POST', path: (i, o) => `/api/contacts/${o(i.contactId)}/read`, body: ['messageId'] },
  { method: 'GET', path: (i, o) => `/api/contacts/${o(i.contactId)}/audit`, query: ['after', 'limit'] },
  // Conversations: the group routes answer a direct conversation's id too (NOT_A_GROUP), the message routes serve it.
  { method: 'POST', path: () => '/api/conversations', body: ['title', 'memberIds', 'membersMayAdd'] },
  { method: 'PATCH', path: (i, o) => `/api/conversations/${o(i.contactId)}`, body: ['title', 'membersMayAdd'] },
  { method: 'POST', path: (i, o) => `/api/conversations/${o(i.contactId)}/members`, body: ['userIds'] },
  { method: 'DELETE', path: (i, o) => `/api/conversations/${o(i.contactId)}/members/${o(i.strangerId)}` },
  { method: 'POST', path: (i, o) => `/api/conversations/${o(i.contactId)}/leave` },
  { method: 'POST', path: (i, o) => `/api/conversations/${o(i.contactId)}/messages`, body: ['id', 'text', 'replyTo'] },
  { method: 'PATCH', path: (i, o) => `/api/conversations/${o(i.contactId)}/messages/${o(i.messageId)}`, body: ['text'] },
  { method: 'DELETE', path: (i, o) => `/api/conversations/${o(i.contactId)}/messages/${o(i.messageId)}` },
  { method: 'PUT', path: (i, o) => `/api/conversations/${o(i.contactId)}/messages/${o(i.messageId)}/reactions/${o(THUMBS)}` },
  { method: 'DELETE', path: (i, o) => `/api/conversations/${o(i.contactId)}/messages/${o(i.messageId)}/reactions/${o(THUMBS)}` },
  { method: 'POST', path: (i, o) => `/api/conversations/${o(i.contactId)}/read`, body: ['messageId'] },
  { method: 'GET', path: () => '/api/events', query: ['after', 'limit'] },
  { method: 'GET', path: () => '/api/search', query: ['q', 'conversationId', 'senderId', 'before', 'cursor', 'limit', 'minPosition'] },
  { method: 'GET', path: () => '/api/conversations', query: ['minPosition'] },
  { method: 'GET', path: (i, o) => `/api/conversations/${o(i.contactId)}`, query: ['minPosition'] },
  {
    method: 'GET',
    path: (i, o) => `/api/conversations/${o(i.contactId)}/messages`,
    query: ['before', 'after', 'limit', 'asOf', 'minPosition'],
  },
  { method: 'POST', path: (i, o) => `/api/contacts/${o(i.contactId)}/meetings`, body: ['kind'] },
  { method: 'GET', path: () => '/api/meetings', query: ['minPosition'] },
  { method: 'GET', path: (i, o) => `/api/meetings/${o(i.meetingId)}` },
  { method: 'POST', path: (i, o) => `/api/meetings/${o(i.meetingId)}/decline` },
  { method: 'POST', path: (i, o) => `/api/meetings/${o(i.meetingId)}/end` },
  { method: 'GET', path: () => '/api/calls', query: ['before', 'limit', 'minPosition'] },
  { method: 'GET', path: () => '/api/ice-servers' },
  // The body is the file itself: whatever bytes the fuzzer sends are a file (or a 4xx), never a 5xx.
  { method: 'POST', path: () => '/api/attachments', query: ['name'], body: ['name'] },
  { method: 'GET', path: (i, o) => `/api/attachments/${o(i.attachmentId)}` },
  { method: 'GET', path: (i, o) => `/api/attachments/${o(i.attachmentId)}/thumbnail` },
  { method: 'POST', path: () => '/api/sessions/refresh', body: ['refreshToken'], anonymous: true },
  { method: 'GET', path: () => '/api/sessions' },
  // Someone else's session id (ending the fuzzer's own, or all of them, would end the run).
  { method: 'DELETE', path: (_, o) => `/api/sessions/${o('5f0c1d2e-3a4b-4c5d-8e6f-7a8b9c0d1e2f')}` },
];

/** A path segment: mostly the real id, else an odd one, percent-encoded or (some of the time) raw. */
const segment = fc.oneof(
  { weight: 2, arbitrary: fc.constant((real: string) => real) },
  { weight: 1, arbitrary: fc.constant((real: string) => real.toUpperCase()) },
  { weight: 2, arbitrary: oddString.map((s) => () => encodeURIComponent(s.replace(/[\ud800-\udfff]/g, '\ufffd')) || '%20') },
  { weight: 1, arbitrary: fc.constantFrom('%00', '%zz', '..', '%2e%2e', '%ff', ';', '%0a').map((s) => () => s) },
);

const queryString = (fields: string[]) =>
  fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .dictionary(fc.constantFrom(...fields, '__proto__', 'constructor'), oddString, { maxKeys: 3 })
        .map((q) => new URLSearchParams(q).toString()),
    },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom(...fields)
        .chain((f) => fc.constantFrom(`${f}=%00`, `${f}=%zz`, `${f}=1&${f}=2`, `${f}[]=1`, `${f}[a]=1`, `${f}=${'9'.repeat(400)}`)),
    },
  );

const request = fc.constantFrom(...ROUTES).chain((route) =>
  fc.record({
    route: fc.constant(route),
    segment,
    query: route.query ? fc.option(queryString(route.query), { nil: undefined }) : fc.constant(undefined),
    body: route.body
      ? fc.option(oddBody(route.body), { nil: undefined })
      : route.method === 'GET'
        ? fc.constant(undefined)
        : fc.option(oddBody(['x']), { nil: undefined, freq: 4 }),
    signedIn: fc.boolean().map((b) => b || !route.anonymous),
  }),
);

describe('REST fuzzing: odd input is a 4xx, never a 5xx', () => {
  let target: FuzzTarget;
  const statuses = new Map<number, number>();

  beforeAll(async () => {
    target = await startFuzzTarget();
  });
  afterAll(async () => {
    console.info(
      `REST fuzzing: ${[...statuses.values()].reduce((a, b) => a + b, 0)} requests, by status ${JSON.stringify(Object.fromEntries(statuses))}`,
    );
    await target?.close();
  });

  const send = async (method: string, path: string, body: string | undefined, signedIn: boolean) => {
    const response = await fetch(target.t.url + path, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(signedIn ? { authorization: `Bearer ${target.ana.token}` } : {}),
      },
      body,
    });
    const text = await response.text();
    statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    return { status: response.status, text };
  };
  const expectClientError = (what: string, { status, text }: { status: number; text: string }) => {
    expect(status, `${what} → ${status} ${text.slice(0, 300)}`).toBeLessThan(500);
    expect(text, what).not.toContain('INTERNAL_ERROR');
  };

  it(
    `answers ${RUNS} generated requests over every route below 500`,
    async () => {
      await fc.assert(
        fc.asyncProperty(request, async ({ route, segment: odd, query, body, signedIn }) => {
          const path = route.path(target, odd) + (query ? `?${query}` : '');
          const json = body === undefined ? undefined : JSON.stringify(body);
          expectClientError(`${route.method} ${path} ${json?.slice(0, 200)}`, await send(route.method, path, json, signedIn));
        }),
        { numRuns: RUNS },
      );
    },
    30_000 + RUNS * 20,
  );

  it('answers raw bodies no serializer would write (deep nesting, prototype keys, NUL escapes, huge) below 500 on every route that takes one', async () => {
    for (const route of ROUTES.filter((r) => r.body)) {
      for (const raw of RAW_BODIES) {
        const path = route.path(target, (real) => real);
        expectClientError(`${route.method} ${path} ${raw.slice(0, 60)}`, await send(route.method, path, raw, true));
      }
    }
  });

  it('still serves: alive, ready, nothing parked, a normal message in the history and on the socket', async () => {
    await expectStillServing(target);
  });
});
