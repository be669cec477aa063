import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  expectParked,
  expectRows,
  projectionSpec,
  useProjectionDatabase,
  type Expectation,
} from '../../test/support/projection-specification.js';
import { contactStream, signUp, TestLog } from '../../test/support/recorded-events.js';
import { accountsProjection } from '../accounts/accounts.projection.js';
import type { Projection } from '../projection.js';
import type { RecordedDerbelEvent } from '../recorded-event.js';
import { contactRequestsProjection } from './contact-requests.projection.js';
import { listRequests } from './contact-requests.queries.js';

/** Open contact requests on real PostgreSQL (issue 17, docs/contacts-consent.md). */
describe('contact requests read model', () => {
  const db = useProjectionDatabase();
  const spec = () => projectionSpec(contactRequestsProjection, db);
  const [ana, ben] = [randomUUID(), randomUUID()];

  const row = (requested: RecordedDerbelEvent, changes: Record<string, unknown> = {}) => {
    const d = requested.data as { contactId: string; requestedBy: string; recipientId: string; message: string | null; silenced: boolean };
    return {
      contact_id: d.contactId,
      requester_id: d.requestedBy,
      recipient_id: d.recipientId,
      message: d.message,
      requested_at: requested.metadata.timestamp,
      silenced: d.silenced,
      declined: false,
      ...changes,
    };
  };

  it('a request is a row; a decline marks it; a new request after it replaces it', async () => {
    const log = new TestLog();
    const c = contactStream(log);
    const requested = c.requested(ana, ben, { message: 'hi' });
    const declined = c.declined(ben);
    const again = c.requested(ana, ben, { silenced: true });
    await spec()
      .given()
      .when(requested)
      .then(expectRows('contact_requests', [row(requested)]));
    await spec()
      .given(requested)
      .when(declined)
      .then(expectRows('contact_requests', [row(requested, { declined: true })]));
    await spec()
      .given(requested, declined)
      .when(again)
      .then(expectRows('contact_requests', [row(again)]));
  });

  it.each([
    ['accepted', (c: ReturnType<typeof contactStream>) => c.added(ben, ana)],
    ['cancelled', (c: ReturnType<typeof contactStream>) => c.cancelled(ana, true)],
  ])('a request %s is gone', async (_case, end) => {
    const log = new TestLog();
    const c = contactStream(log);
    const requested = c.requested(ana, ben);
    await spec().given(requested).when(end(c)).then(expectRows('contact_requests', []));
  });

  it('one batch holding several pairs’ whole stories lands as the events one by one do', async () => {
    const log = new TestLog();
    const [stored, redone, accepted, goneThenDeclined, fresh] = [1, 2, 3, 4, 5].map(() => contactStream(log));
    // Requests already stored before the batch.
    const storedRequest = stored.requested(ana, ben, { message: 'stored' });
    const goneRequest = goneThenDeclined.requested(ana, ben);
    // The batch: a stored request declined; a request declined and made again; one made and accepted; one
    // cancelled and then declined (nothing left to mark); a new one, declined.
    const batch = [
      stored.declined(ben),
      redone.requested(ana, ben, { message: 'first' }),
      redone.declined(ben),
      accepted.requested(ana, ben),
      goneThenDeclined.cancelled(ana, true),
      redone.requested(ana, ben, { message: 'again', silenced: true }),
      accepted.added(ben, ana),
      goneThenDeclined.declined(ben),
      fresh.requested(ben, ana),
      fresh.declined(ana),
    ];
    const again = batch[5];
    const freshRequest = batch[8];
    await spec()
      .given(storedRequest, goneRequest)
      .when(...batch)
      .then(expectRows('contact_requests', [row(storedRequest, { declined: true }), row(again), row(freshRequest, { declined: true })]));
  });

  it('a log of the old shape (ContactAdded alone) has no requests', async () => {
    const log = new TestLog();
    const c = contactStream(log);
    await spec().given().when(c.added(ana, ben), c.sent(ana, 'hi'), c.removed(ben)).then(expectRows('contact_requests', []));
  });

  it('a malformed request is parked, the rest of the batch lands', async () => {
    const log = new TestLog();
    const [c, ok] = [contactStream(log), contactStream(log)];
    const bad = c.raw('ContactRequested', {
      contactId: c.contactId,
      requestedBy: 'not-a-uuid',
      recipientId: ben,
      message: null,
      silenced: false,
    });
    const good = ok.requested(ana, ben);
    await spec()
      .given()
      .when(bad, good)
      .then(expectRows('contact_requests', [row(good)]), expectParked({ event: bad, code: 'MALFORMED_EVENT' }));
  });

  describe('listRequests', () => {
    const withAccounts: Projection = {
      name: 'contact_requests_with_accounts',
      tables: [...contactRequestsProjection.tables, ...accountsProjection.tables],
      async apply(sql, events) {
        await accountsProjection.apply(sql, events);
        await contactRequestsProjection.apply(sql, events);
      },
    };
    const listIs = (userId: string, expected: unknown[]): Expectation<any> => ({
      async check({ pool }) {
        expect(await listRequests(pool, userId)).toEqual(expected);
      },
    });

    it('shows the requester every request they made (declined too); the recipient only those they can see; newest first', async () => {
      const log = new TestLog();
      const [a, b, e] = [signUp(log, 'ana_r'), signUp(log, 'ben_r'), signUp(log, 'eve_r')];
      const [toBen, fromEve, silenced] = [contactStream(log), contactStream(log), contactStream(log)];
      const asked = toBen.requested(a.userId, b.userId, { message: 'hello ben' });
      const declined = toBen.declined(b.userId);
      const eveAsks = fromEve.requested(e.userId, a.userId);
      const hidden = silenced.requested(e.userId, b.userId, { silenced: true });
      const outgoing = {
        id: toBen.contactId,
        peer: { id: b.userId, username: 'ben_r' },
        direction: 'outgoing',
        message: 'hello ben',
        requestedAt: asked.metadata.timestamp,
      };
      const incoming = {
        id: fromEve.contactId,
        peer: { id: e.userId, username: 'eve_r' },
        direction: 'incoming',
        message: null,
        requestedAt: eveAsks.metadata.timestamp,
      };
      await projectionSpec(withAccounts, db)
        .given(a.claimed, a.registered, b.claimed, b.registered, e.claimed, e.registered)
        .when(asked, declined, eveAsks, hidden)
        .then(
          listIs(a.userId, [incoming, outgoing]),
          listIs(b.userId, []),
          listIs(e.userId, [
            {
              id: silenced.contactId,
              peer: { id: b.userId, username: 'ben_r' },
              direction: 'outgoing',
              message: null,
              requestedAt: hidden.metadata.timestamp,
            },
            { ...incoming, peer: { id: a.userId, username: 'ana_r' }, direction: 'outgoing' },
          ]),
        );
    });
  });
});
