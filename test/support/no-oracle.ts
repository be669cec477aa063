import { expect } from 'vitest';
import type { Socket } from 'socket.io-client';
import type { ApiResponse } from './api-client.js';

/**
 * No oracle: what a caller is told about something they may not see must be exactly what they are told
 * about something that does not exist — the same status, code and message. `status` is the one expected.
 */
export function expectAnsweredAsAbsent(what: string, toThing: ApiResponse, toNothing: ApiResponse, status = 404) {
  expect(toThing.status, `${what}: ${JSON.stringify(toThing.body)}`).toBe(status);
  expect({ status: toThing.status, body: toThing.body }, what).toEqual({ status: toNothing.status, body: toNothing.body });
}

/** The same for a socket event's acknowledgement: refused, and refused as for nothing. */
export function expectAckedAsAbsent(what: string, toThing: unknown, toNothing: unknown) {
  expect(toThing, what).toMatchObject({ ok: false });
  expect(toThing, what).toEqual(toNothing);
}

/** Emits `event` and waits for its acknowledgement. */
export const acked = (socket: Socket, event: string, payload: object): Promise<unknown> =>
  socket.timeout(5_000).emitWithAck(event, payload);
