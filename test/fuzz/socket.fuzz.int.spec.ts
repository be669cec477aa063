import fc from 'fast-check';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connected } from '../support/api-client.js';
import { expectStillServing, startFuzzTarget, type FuzzTarget } from './fuzz-target.js';
import { fuzzRuns, oddBody, oddJson, oddString } from './odd-values.js';

const RUNS = fuzzRuns('FUZZ_SOCKET_RUNS', 300);

/** The events the server listens to, and their fields (the README, the meetings README and the gateway). */
const EVENTS: Record<string, string[]> = {
  typing: ['contactId'],
  'meeting:join': ['meetingId'],
  'meeting:leave': ['meetingId'],
  'meeting:media': ['meetingId', 'audio', 'video', 'screen'],
  signal: ['meetingId', 'to', 'data'],
  'session:renew': ['token'],
  probe: [],
};

const payload = (event: string) =>
  fc.oneof(
    { weight: 3, arbitrary: oddBody(EVENTS[event]) },
    // The right ids, so the handler gets past validation, with odd values elsewhere.
    { weight: 2, arbitrary: fc.tuple(oddBody(EVENTS[event]), fc.boolean()).map(([body, real]) => ({ body, real })) },
    { weight: 1, arbitrary: oddJson },
  );

const emission = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .constantFrom(...Object.keys(EVENTS))
      .chain((event) => fc.record({ event: fc.constant(event), payload: payload(event), known: fc.constant(true) })),
  },
  { weight: 1, arbitrary: fc.record({ event: oddString, payload: oddJson, known: fc.constant(false) }) },
);

describe('socket fuzzing: odd payloads are refused in the ack, never INTERNAL_ERROR, never a dead process', () => {
  let target: FuzzTarget;
  let socket: Socket;
  const codes = new Map<string, number>();

  beforeAll(async () => {
    target = await startFuzzTarget();
    socket = await connected(target.ana.connect());
  });
  afterAll(async () => {
    console.info(
      `socket fuzzing: ${[...codes.values()].reduce((a, b) => a + b, 0)} events, by ack ${JSON.stringify(Object.fromEntries(codes))}`,
    );
    socket?.disconnect();
    await target?.close();
  });

  /** Fills in real ids where the case asks for them. */
  const realIds = (value: unknown): unknown => {
    if (!value || typeof value !== 'object' || !('real' in value)) return value;
    const { body, real } = value as { body: Record<string, unknown>; real: boolean };
    if (!real || typeof body !== 'object' || body === null || Array.isArray(body)) return body;
    return { ...body, contactId: target.contactId, meetingId: target.meetingId };
  };

  it(
    `acks ${RUNS} generated events without INTERNAL_ERROR`,
    async () => {
      await fc.assert(
        fc.asyncProperty(emission, async ({ event, payload, known }) => {
          // A payload over Socket.io's maxHttpBufferSize closes the connection, as it should: open another.
          if (!socket.connected) socket = await connected(target.ana.connect());
          const data = realIds(payload);
          if (!known) {
            socket.emit(event, data);
            return;
          }
          const ack = await socket.timeout(5_000).emitWithAck(event, data);
          const key = ack?.ok ? 'ok' : String(ack?.code);
          codes.set(key, (codes.get(key) ?? 0) + 1);
          expect(ack, `${event} ${JSON.stringify(data)?.slice(0, 200)}`).toMatchObject({ ok: expect.any(Boolean) });
          expect(ack.code, `${event} ${JSON.stringify(data)?.slice(0, 200)}`).not.toBe('INTERNAL_ERROR');
          if (!ack.ok) expect(ack.message).toEqual(expect.any(String));
        }),
        { numRuns: RUNS },
      );
    },
    30_000 + RUNS * 20,
  );

  it('answers a liveness probe `probe {}` with ok, and one carrying anything VALIDATION_ERROR', async () => {
    expect(await socket.timeout(5_000).emitWithAck('probe', {})).toEqual({ ok: true });
    expect(await socket.timeout(5_000).emitWithAck('probe', { meetingId: 'x' })).toMatchObject({ ok: false, code: 'VALIDATION_ERROR' });
  });

  it('survives non-JSON arguments: several, none, binary, a function only', async () => {
    for (const event of Object.keys(EVENTS)) {
      for (const args of [[], [Buffer.from([0, 1, 2])], [null, null], ['x', 1, {}], [new Uint8Array(0)]]) {
        const ack = await socket.timeout(5_000).emitWithAck(event, ...args);
        expect(ack.code, `${event} ${args.length} args`).not.toBe('INTERNAL_ERROR');
      }
    }
  });

  it('still serves: alive, ready, nothing parked, a normal message in the history and on the socket', async () => {
    await expectStillServing(target);
  });
});
