import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkFoldLaws, random } from '../../test/support/fold-laws.js';
import { contactStream, groupStream, meetingStream, TestLog } from '../../test/support/recorded-events.js';
import type { RecordedDerbelEvent } from '../recorded-event.js';
import { contactListFold, type ContactEntries, type ContactListEvent } from './contact-list.fold.js';

const [ana, ben, eve, dan] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
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

/** A log over two groups: created (some twice), every membership event, messages, reads and meetings by anyone. */
function groupsLog(seed: number, length = 80): RecordedDerbelEvent[] {
  const rnd = random(seed);
  const log = new TestLog();
  const groups = [groupStream(log), groupStream(log)];
  const users = [ana, ben, eve, dan];
  const ids = [randomUUID(), randomUUID(), randomUUID()];
  return Array.from({ length }, (_, i) => {
    const g = rnd.pick(groups);
    const m = meetingStream(log, g.contactId);
    switch (rnd.int(11)) {
      case 0:
        return g.created(ana, [ben, eve]);
      case 1:
        return g.membersAdded(rnd.pick(users), [rnd.pick(users), rnd.pick(users)]);
      case 2:
        return g.memberRemoved(ana, rnd.pick(users));
      case 3:
        return g.memberLeft(rnd.pick(users));
      case 4:
        return g.adminAppointed(rnd.pick([ana, null]), rnd.pick(users));
      case 5:
        return g.renamed(rnd.pick(users), `title ${i}`);
      case 6:
        return g.settingsChanged(ana, rnd.int(2) === 0);
      case 7:
        return g.sent(rnd.pick(users), `message ${i}`, rnd.pick(ids));
      case 8:
        return g.read(rnd.pick(users), rnd.pick(ids));
      case 9:
        return m.started(rnd.pick(users), rnd.pick(users));
      default:
        return m.ended('ended', null);
    }
  });
}

describe('contact list fold', () => {
  it.each(Array.from({ length: 15 }, (_, i) => i + 1))('obeys the fold laws over a random log of groups (seed %i)', async (seed) => {
    await checkFoldLaws(contactListFold, (doc) => doc.contactId, groupsLog(seed), random(seed));
  });

  it('a group: an entry per member with its title, role and count; a leave hides one, an add again shows it with its read marker', () => {
    const log = new TestLog();
    const g = groupStream(log);
    const created = g.created(ana, [ben, eve], 'Crew');
    const doc = evolve(null, created)!;
    const entry = (userId: string, role: 'admin' | 'member') => ({
      userId,
      contactId: g.contactId,
      peerId: null,
      kind: 'group',
      title: 'Crew',
      memberCount: 3,
      role,
      membersMayAdd: false,
      lastActivityAt: created.metadata.timestamp,
      lastReadMessageId: null,
      peerLastReadMessageId: null,
      activeMeeting: null,
      removed: false,
    });
    expect(doc.rows).toEqual([entry(ana, 'admin'), entry(ben, 'member'), entry(eve, 'member')]);
    const sent = g.sent(ana, 'hi');
    const id = (sent.data as { messageId: string }).messageId;
    const read = evolve(evolve(doc, sent), g.read(eve, id))!;
    const left = evolve(read, g.memberLeft(eve))!;
    expect(left.rows.map((row) => [row.removed, row.memberCount])).toEqual([
      [false, 2],
      [false, 2],
      [true, 2],
    ]);
    const later = g.sent(ben, 'eve is gone');
    const afterLeave = evolve(left, later)!;
    expect(afterLeave.rows[2], 'a former member’s entry does not move').toBe(left.rows[2]);
    const addedAt = log.nextAt();
    const added = evolve(afterLeave, g.membersAdded(ben, [eve, dan]))!;
    expect(added.rows.map((row) => [row.userId, row.removed, row.memberCount, row.lastReadMessageId])).toEqual([
      [ana, false, 4, null],
      [ben, false, 4, null],
      [eve, false, 4, id],
      [dan, false, 4, null],
    ]);
    expect(added.rows[3].lastActivityAt).toBe(addedAt);
    const renamed = evolve(evolve(added, g.renamed(ben, 'Crew 2')), g.settingsChanged(ana, true))!;
    expect(renamed.rows.every((row) => row.title === 'Crew 2' && row.membersMayAdd)).toBe(true);
    const appointed = evolve(renamed, g.adminAppointed(null, dan))!;
    expect(appointed.rows.map((row) => row.role)).toEqual(['admin', 'member', 'member', 'admin']);
    expect(evolve(appointed, g.created(dan, [ben, eve])), 'created again (a corrupt log)').toBe(appointed);
  });

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
