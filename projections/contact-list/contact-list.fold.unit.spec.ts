import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkFoldLaws, random } from '../../test/support/fold-laws.js';
import { contactStream, meetingStream, TestLog } from '../../test/support/recorded-events.js';
import type { RecordedDerbelEvent } from '../recorded-event.js';
import { contactListFold, type ContactEntries, type ContactListEvent } from './contact-list.fold.js';

const [ana, ben, eve] = [randomUUID(), randomUUID(), randomUUID()];
const evolve = (doc: ContactEntries | null, event: RecordedDerbelEvent) => contactListFold.evolve(doc, event as ContactListEvent);

/** A log over two contacts: adds (some repeated), removals, messages, edits, deletes, reads and meetings by anyone. */
function contactListLog(seed: number, length = 80): RecordedDerbelEvent[] {
  const rnd = random(seed);
  const log = new TestLog();
  const contacts = [
    { c: contactStream(log), members: [ana, ben] },
    { c: contactStream(log), members: [ana, eve] },
  ];
  const ids = [randomUUID(), randomUUID(), randomUUID()];
  const meetings = contacts.map(({ c }) => [meetingStream(log, c.contactId), meetingStream(log, c.contactId)]);
  return Array.from({ length }, (_, i) => {
    const k = rnd.int(contacts.length);
    const { c, members } = contacts[k];
    const user = rnd.pick([...members, eve]);
    const m = rnd.pick(meetings[k]);
    switch (rnd.int(9)) {
      case 0:
        return c.added(members[0], members[1]);
      case 8:
        return c.removed(rnd.pick(members), rnd.pick(['removed', 'blocked'] as const));
      case 1:
        return c.sent(rnd.pick(members), `message ${i}`, rnd.pick(ids));
      case 2:
        return c.edited(user, rnd.pick(ids), `edit ${i}`);
      case 3:
        return c.deleted(user, rnd.pick(ids));
      case 4:
        return c.read(user, rnd.pick(ids));
      case 5:
        return m.started(members[0], members[1]);
      case 6:
        return m.joined(rnd.pick(members), `peer-${i}`);
      default:
        return m.ended(rnd.pick(['ended', 'missed', 'declined', 'empty'] as const), null);
    }
  });
}

describe('contact list fold', () => {
  it.each(Array.from({ length: 25 }, (_, i) => i + 1))('obeys the fold laws over a random log (seed %i)', async (seed) => {
    await checkFoldLaws(contactListFold, (doc) => doc.contactId, contactListLog(seed), random(seed));
  });

  it('a second ContactAdded of an accepted contact never changes the entries, whoever it names', () => {
    const log = new TestLog();
    const c = contactStream(log);
    const doc = evolve(null, c.added(ana, ben))!;
    for (const again of [c.added(ben, ana), c.added(ana, eve)]) expect(evolve(doc, again)).toBe(doc);
  });

  it('a removal hides both entries; a new acceptance shows them again with their read markers, on top', () => {
    const log = new TestLog();
    const c = contactStream(log);
    const sent = c.sent(ana, 'hi');
    const read = evolve(evolve(evolve(null, c.added(ana, ben)), sent), c.read(ben, (sent.data as { messageId: string }).messageId))!;
    const removed = evolve(read, c.removed(ben))!;
    expect(removed.rows.map((row) => row.removed)).toEqual([true, true]);
    const again = c.added(ben, ana);
    const back = evolve(removed, again)!;
    expect(back.rows).toEqual(read.rows.map((row) => ({ ...row, lastActivityAt: again.metadata.timestamp })));
  });

  it('an event that changes no entry returns the very same document', () => {
    const log = new TestLog();
    const c = contactStream(log);
    const m = meetingStream(log, c.contactId);
    const added = evolve(null, c.added(ana, ben))!;
    const sent = c.sent(ana, 'hi');
    const doc = evolve(added, sent)!;
    const id = (sent.data as { messageId: string }).messageId;
    for (const event of [c.read(eve, id), m.joined(ana, 'p'), m.ended('missed', null)]) {
      expect(evolve(doc, event), event.type).toBe(doc);
    }
  });
});
