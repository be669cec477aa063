import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { streams } from '../../domain/events.js';
import { checkFoldLaws, random } from '../../test/support/fold-laws.js';
import { TestLog } from '../../test/support/recorded-events.js';
import type { RecordedDerbelEvent } from '../recorded-event.js';
import { accountsFold, type AccountEvent } from './accounts.fold.js';

/** Registrations of a few user ids, each possibly repeated with other names. */
function accountsLog(seed: number, length = 30): RecordedDerbelEvent[] {
  const rnd = random(seed);
  const log = new TestLog();
  const users = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
  return Array.from({ length }, (_, i) => {
    const userId = rnd.pick(users);
    return log.record(streams.account(userId), 'AccountRegistered', { userId, username: `user${i}`, displayName: `User ${i}` });
  });
}

describe('accounts fold', () => {
  it.each(Array.from({ length: 20 }, (_, i) => i + 1))('obeys the fold laws over a random log (seed %i)', async (seed) => {
    await checkFoldLaws(accountsFold, (row) => row.userId, accountsLog(seed), random(seed));
  });

  it('every event only creates: the first registration of a user id is the account', () => {
    const log = new TestLog();
    const userId = randomUUID();
    const register = (username: string) =>
      log.record(streams.account(userId), 'AccountRegistered', { userId, username, displayName: username }) as AccountEvent;
    const [first, second] = [register('ana'), register('someone-else')];
    const row = accountsFold.evolve(null, first)!;
    expect(row).toEqual({ userId, username: 'ana', displayName: 'ana', registeredAt: first.metadata.timestamp });
    expect(accountsFold.createsOnly!(second)).toBe(true);
    expect(accountsFold.evolve(row, second)).toBe(row);
  });
});
