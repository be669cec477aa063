import { describe, expect, it } from 'vitest';
import { MalformedEventError } from '../../projections/malformed-event.js';
import { describeFault, isEventFault } from './apply-errors.js';

const pgError = (code: string) => Object.assign(new Error(`pg ${code}`), { code });

describe('which errors park an event', () => {
  it('parks what the event itself causes: a malformed event, data the tables refuse, a fold tripping on its data', () => {
    expect(isEventFault(new MalformedEventError({ type: 'MessageSent', position: 7 }, 'messageId is not a canonical uuid'))).toBe(true);
    for (const code of ['22P02', '22021', '22P05', '23505', '23502']) expect(isEventFault(pgError(code))).toBe(true);
    expect(isEventFault(new TypeError("Cannot read properties of undefined (reading 'members')"))).toBe(true);
  });

  it('retries, never parks, what retrying can cure or what is not the event’s fault', () => {
    // connection lost, serialization failure, deadlock, lock timeout, query cancelled, admin shutdown,
    // out of memory, a missing table (a migration not run yet)
    for (const code of ['08006', '40001', '40P01', '55P03', '57014', '57P01', '53200', '42P01'])
      expect(isEventFault(pgError(code))).toBe(false);
    expect(isEventFault(new Error('Connection terminated unexpectedly'))).toBe(false);
    expect(isEventFault(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe(false);
  });

  it('records a short code with the message', () => {
    expect(describeFault(new MalformedEventError({ type: 'MessageSent', position: 7 }, 'no text'))).toEqual({
      code: 'MALFORMED_EVENT',
      message: 'MessageSent at position 7: no text',
    });
    expect(describeFault(pgError('23505'))).toEqual({ code: '23505', message: 'pg 23505' });
    expect(describeFault(new TypeError('x'))).toEqual({ code: 'TypeError', message: 'x' });
  });
});
