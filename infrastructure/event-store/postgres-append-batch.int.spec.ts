import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { WrongExpectedRevisionError } from '../../application/ports/event-store.js';
import { newEvent } from '../../test/contract/event-store.contract.js';
import { usePostgresEventStoreFixture } from '../../test/support/postgres-event-store-fixture.js';

/**
 * Appends that arrive together go to PostgreSQL as one batch (one transaction): each is still answered on
 * its own, exactly as if it had been appended alone.
 */
describe('batched appends (PostgreSQL)', () => {
  const fixture = usePostgresEventStoreFixture();

  const event = () => newEvent('Raw');
  const transactionsOf = async (streams: string[]) =>
    (
      await fixture.pool.query<{ n: number }>('SELECT count(DISTINCT transaction_id)::int AS n FROM events WHERE stream_id = ANY($1)', [
        streams,
      ])
    ).rows[0].n;

  it('commits appends made in the same turn in one transaction, each answered with its own revision and position', async () => {
    const streams = Array.from({ length: 20 }, () => `batch-${randomUUID()}`);
    const results = await Promise.all(
      streams.map((stream, i) => fixture.store.appendToStream(stream, [event(), event()].slice(0, 1 + (i % 2)))),
    );
    expect(await transactionsOf(streams)).toBe(1);
    for (const [i, stream] of streams.entries()) {
      const stored = await fixture.store.readStream(stream);
      expect(stored.map((e) => e.revision)).toEqual(i % 2 ? [0, 1] : [0]);
      expect(results[i]).toEqual({ nextRevision: stored.length - 1, position: stored[stored.length - 1].position });
    }
    const positions = results.map((r) => r.position);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
  });

  it('rejects only the append whose expected revision fails, with the actual revision', async () => {
    const taken = `batch-${randomUUID()}`;
    await fixture.store.appendToStream(taken, [event(), event()]);
    const others = [`batch-${randomUUID()}`, `batch-${randomUUID()}`];
    const outcomes = await Promise.allSettled([
      fixture.store.appendToStream(others[0], [event()], { expectedRevision: 'no_stream' }),
      fixture.store.appendToStream(taken, [event()], { expectedRevision: 0 }),
      fixture.store.appendToStream(`batch-${randomUUID()}`, [event()], { expectedRevision: 'stream_exists' }),
      fixture.store.appendToStream(others[1], [event()]),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    const wrong = (outcomes[1] as PromiseRejectedResult).reason;
    expect(wrong).toBeInstanceOf(WrongExpectedRevisionError);
    expect(wrong.actual).toBe(1);
    expect((outcomes[2] as PromiseRejectedResult).reason.actual).toBe('no_stream');
    expect((await fixture.store.readStream(taken)).length).toBe(2);
    expect(await transactionsOf(others)).toBe(1);
  });

  it('lets a later append in the batch see an earlier one to the same stream', async () => {
    const stream = `batch-${randomUUID()}`;
    const outcomes = await Promise.allSettled([
      fixture.store.appendToStream(stream, [event()], { expectedRevision: 'no_stream' }),
      fixture.store.appendToStream(stream, [event()], { expectedRevision: 0 }),
      fixture.store.appendToStream(stream, [event()], { expectedRevision: 'no_stream' }),
      fixture.store.appendToStream(stream, [event()], { expectedRevision: 'any' }),
    ]);
    expect(
      outcomes.map((o) => (o.status === 'fulfilled' ? o.value.nextRevision : (o.reason as WrongExpectedRevisionError).actual)),
    ).toEqual([0, 1, 1, 2]);
    expect(outcomes[2].status).toBe('rejected');
    expect((await fixture.store.readStream(stream)).map((e) => e.revision)).toEqual([0, 1, 2]);
  });

  it('answers an already stored event id, and the same new id twice in one batch, with the one stored event', async () => {
    const stream = `batch-${randomUUID()}`;
    const stored = event();
    const first = await fixture.store.appendToStream(stream, [stored]);
    const twice = event();
    const [again, newOnce, newTwice] = await Promise.all([
      fixture.store.appendToStream(stream, [stored]),
      fixture.store.appendToStream(stream, [twice]),
      fixture.store.appendToStream(stream, [twice]),
    ]);
    expect(again).toEqual(first);
    expect(newTwice).toEqual(newOnce);
    expect((await fixture.store.readStream(stream)).map((e) => e.id)).toEqual([stored.id, twice.id]);
  });

  it('falls back to one append at a time when another transaction wins a revision the batch wanted', async () => {
    const contested = `batch-${randomUUID()}`;
    const bystander = `batch-${randomUUID()}`;
    // Another node's append to the same stream, not committed yet: the batch's INSERT waits for it, then
    // meets its revision in the unique index.
    const other = await fixture.pool.connect();
    try {
      await other.query('BEGIN');
      await other.query('SELECT derbel_append_events($1, $2, $3::jsonb)', [contested, 'any', JSON.stringify([event()])]);
      const batch = Promise.all([fixture.store.appendToStream(contested, [event()]), fixture.store.appendToStream(bystander, [event()])]);
      await new Promise((r) => setTimeout(r, 200));
      await other.query('COMMIT');
      const [contestedResult, bystanderResult] = await batch;
      expect(contestedResult.nextRevision).toBe(1);
      expect(bystanderResult.nextRevision).toBe(0);
    } finally {
      other.release();
    }
    expect((await fixture.store.readStream(contested)).map((e) => e.revision)).toEqual([0, 1]);
    expect((await fixture.store.readStream(bystander)).length).toBe(1);
  });
  it.each([
    ['NUL', { text: 'nul \u0000' }],
    ['a lone surrogate', { text: 'lone \ud800' }],
  ])('fails only the append whose content cannot be stored (%s); the rest of its batch is appended', async (_, data) => {
    const innocent = Array.from({ length: 6 }, () => `batch-${randomUUID()}`);
    const poisoned = `batch-${randomUUID()}`;
    const outcomes = await Promise.allSettled([
      ...innocent.slice(0, 3).map((s) => fixture.store.appendToStream(s, [event()])),
      fixture.store.appendToStream(poisoned, [newEvent('Raw', data)]),
      ...innocent.slice(3).map((s) => fixture.store.appendToStream(s, [event()])),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
      'fulfilled',
    ]);
    expect(String((outcomes[3] as PromiseRejectedResult).reason)).toMatch(/Unicode|surrogate|invalid input syntax/i);
    for (const s of innocent) expect((await fixture.store.readStream(s)).length).toBe(1);
    expect(await fixture.store.readStream(poisoned)).toEqual([]);
  });
});
