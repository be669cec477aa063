import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkFoldLaws, random } from '../../test/support/fold-laws.js';
import { contactStream, TestLog } from '../../test/support/recorded-events.js';
import { MalformedEventError } from '../malformed-event.js';
import type { RecordedDerbelEvent } from '../recorded-event.js';
import { messagesFold, type MessageEvent, type MessageRow } from './messages.fold.js';

const [ana, ben, eve] = [randomUUID(), randomUUID(), randomUUID()];
const evolve = (row: MessageRow | null, event: RecordedDerbelEvent) => messagesFold.evolve(row, event as MessageEvent);

/** A log of sends, edits and deletes by anyone, over a few message ids shared by two contacts. */
function messagesLog(seed: number, length = 60): RecordedDerbelEvent[] {
  const rnd = random(seed);
  const log = new TestLog();
  const contacts = [contactStream(log), contactStream(log)];
  const ids = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
  const users = [ana, ben, eve];
  return Array.from({ length }, (_, i) => {
    const c = rnd.pick(contacts);
    const [user, id] = [rnd.pick(users), rnd.pick(ids)];
    switch (rnd.int(3)) {
      case 0:
        return c.sent(user, `message ${i}`, id);
      case 1:
        return c.edited(user, id, `edit ${i}`);
      default:
        return c.deleted(user, id);
    }
  });
}

describe('messages fold', () => {
  it.each(Array.from({ length: 25 }, (_, i) => i + 1))('obeys the fold laws over a random log (seed %i)', async (seed) => {
    await checkFoldLaws(messagesFold, (row) => `${row.contactId}/${row.id}`, messagesLog(seed), random(seed));
  });

  describe('createsOnly: a send never changes an existing row', () => {
    const log = new TestLog();
    const c = contactStream(log);
    const id = randomUUID();
    const sent = c.sent(ana, 'first', id);
    const row = evolve(null, sent)!;
    const deleted = evolve(row, c.deleted(ana, id))!;

    it.each([
      ['the same sender retrying', () => c.sent(ana, 'retry', id)],
      ['the other member reusing the id', () => c.sent(ben, 'mine now', id)],
      ['someone outside the contact', () => c.sent(eve, 'hello', id)],
    ])('%s', (_name, send) => {
      const again = send();
      expect(messagesFold.createsOnly!(again as MessageEvent)).toBe(true);
      expect(evolve(row, again)).toBe(row);
      expect(evolve(deleted, again)).toBe(deleted);
    });
  });

  it('only the sender edits or deletes, only while not deleted; otherwise the very same row', () => {
    const log = new TestLog();
    const c = contactStream(log);
    const id = randomUUID();
    const row = evolve(null, c.sent(ana, 'text', id))!;
    expect(evolve(row, c.edited(ben, id, 'x'))).toBe(row);
    expect(evolve(row, c.deleted(ben, id))).toBe(row);
    const edit = c.edited(ana, id, 'text!');
    expect(evolve(row, edit)).toEqual({ ...row, text: 'text!', editedAt: edit.metadata.timestamp });
    const gone = evolve(row, c.deleted(ana, id))!;
    expect(gone).toEqual({ ...row, text: null, deleted: true });
    expect(evolve(gone, c.edited(ana, id, 'back'))).toBe(gone);
    expect(evolve(gone, c.deleted(ana, id))).toBe(gone);
  });

  it('an edit or delete of no row is no row', () => {
    const log = new TestLog();
    const c = contactStream(log);
    expect(evolve(null, c.edited(ana, randomUUID(), 'x'))).toBeNull();
    expect(evolve(null, c.deleted(ana, randomUUID()))).toBeNull();
  });

  it('refuses an event with a field it cannot trust, even when that event would change nothing', () => {
    const log = new TestLog();
    const c = contactStream(log);
    const id = randomUUID();
    const row = evolve(null, c.sent(ana, 'text', id))!;
    const retryWithNul = c.raw('MessageSent', { contactId: c.contactId, messageId: id, senderId: ana, text: '\u0000' });
    expect(() => evolve(row, retryWithNul)).toThrow(MalformedEventError);
    const upperKey = c.raw('MessageSent', { contactId: c.contactId, messageId: id.toUpperCase(), senderId: ana, text: 'x' });
    expect(() => messagesFold.keyOf(upperKey as MessageEvent)).toThrow(MalformedEventError);
  });

  // V8 reads 30 February as 2 March where PostgreSQL refuses it (22008): time travel and the audit trail run this
  // fold in memory, so the fold itself must refuse it, or `?asOf=` and the history would disagree.
  it('refuses a timestamp PostgreSQL cannot store, so time travel and the history agree', () => {
    const log = new TestLog();
    const c = contactStream(log);
    for (const at of ['2025-02-30T10:00:00.000Z', '0000-01-01T00:00:00.000Z']) {
      expect(() => evolve(null, c.sent(ana, 'leap', randomUUID(), { at })), at).toThrow(MalformedEventError);
    }
  });
});
