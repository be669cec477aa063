import { randomUUID } from 'node:crypto';
import { describe, it } from 'vitest';
import { streams } from '../../domain/events.js';
import { expectParked, expectRows, projectionSpec, useProjectionDatabase } from '../../test/support/projection-specification.js';
import { signUp, TestLog } from '../../test/support/recorded-events.js';
import type { RecordedDerbelEvent } from '../recorded-event.js';
import { accountsProjection } from './accounts.projection.js';

/**
 * The user directory on real PostgreSQL (`accountsFold`, written "if absent", never read back). Each `when`
 * runs as one batch and as batches of one (projection-specification.ts).
 */
describe('accounts read model', () => {
  const db = useProjectionDatabase();
  const spec = () => projectionSpec(accountsProjection, db);

  const row = (registered: RecordedDerbelEvent) => {
    const d = registered.data as { userId: string; username: string; displayName: string };
    return { user_id: d.userId, username: d.username, display_name: d.displayName, registered_at: registered.metadata.timestamp };
  };

  it('a registration is a row: user id, username, display name, registered at the handler timestamp; claims are ignored', async () => {
    const log = new TestLog();
    const ana = signUp(log, 'ana', 'Ana Lima');
    const ben = signUp(log, 'ben', 'Ben');
    await spec()
      .given()
      .when(ana.claimed, ana.registered, ben.claimed, ben.registered)
      .then(expectRows('accounts', [row(ana.registered), row(ben.registered)]));
  });

  it('the first registration of a user id wins (a repeat in a legacy log changes nothing)', async () => {
    const log = new TestLog();
    const ana = signUp(log, 'ana', 'Ana');
    const again = log.record(streams.account(ana.userId), 'AccountRegistered', {
      userId: ana.userId,
      username: 'ana2',
      displayName: 'Someone else',
    });
    await spec()
      .given(ana.registered)
      .when(again)
      .then(expectRows('accounts', [row(ana.registered)]));
    await spec()
      .given()
      .when(ana.registered, again)
      .then(expectRows('accounts', [row(ana.registered)]));
  });

  it('a second account with the same username under another user id is parked (23505), the rest of the batch lands', async () => {
    const log = new TestLog();
    const ana = signUp(log, 'ana', 'Ana');
    const before = signUp(log, 'ben', 'Ben');
    // Two accounts for one name: a log from before username claims, or one imported from elsewhere.
    const impostorId = randomUUID();
    const impostor = log.record(streams.account(impostorId), 'AccountRegistered', {
      userId: impostorId,
      username: 'ana',
      displayName: 'Not Ana',
    });
    const after = signUp(log, 'eve', 'Eve');
    await spec()
      .given(ana.registered)
      .when(before.registered, impostor, after.registered)
      .then(
        expectRows('accounts', [row(ana.registered), row(before.registered), row(after.registered)]),
        expectParked({ event: impostor, code: '23505', error: /accounts_username_key/ }),
      );
    // Both in one batch: the first in log order is the account.
    await spec()
      .given()
      .when(ana.registered, impostor, after.registered)
      .then(expectRows('accounts', [row(ana.registered), row(after.registered)]), expectParked({ event: impostor, code: '23505' }));
  });

  it('malformed registrations are parked, the others land', async () => {
    const log = new TestLog();
    const ana = signUp(log, 'ana', 'Ana');
    const upperId = randomUUID().toUpperCase();
    const notCanonical = log.raw(streams.account(upperId), 'AccountRegistered', {
      userId: upperId,
      username: 'shout',
      displayName: 'SHOUT',
    });
    const nul = log.raw(streams.account(randomUUID()), 'AccountRegistered', {
      userId: randomUUID(),
      username: 'n\u0000l',
      displayName: 'Nul',
    });
    const noDisplayName = log.raw(streams.account(randomUUID()), 'AccountRegistered', { userId: randomUUID(), username: 'nameless' });
    const noData = log.raw(streams.account(randomUUID()), 'AccountRegistered', []);
    const ben = signUp(log, 'ben', 'Ben');
    await spec()
      .given()
      .when(ana.registered, notCanonical, nul, noDisplayName, noData, ben.registered)
      .then(
        expectRows('accounts', [row(ana.registered), row(ben.registered)]),
        expectParked(
          { event: notCanonical, error: /userId is not a canonical uuid/ },
          { event: nul, error: /username is not text/ },
          { event: noDisplayName, error: /displayName is not text/ },
          { event: noData, error: /data is not an object/ },
        ),
      );
  });
});
