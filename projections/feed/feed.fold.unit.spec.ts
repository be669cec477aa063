import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkFoldLaws, random } from '../../test/support/fold-laws.js';
import { contactStream, meetingStream, TestLog } from '../../test/support/recorded-events.js';
import type { RecordedDerbelEvent } from '../recorded-event.js';
import type { FeedSourceEvent } from './feed-entry.js';
import { feedMembersFold, type ContactMembers } from './feed.fold.js';

const [ana, ben, eve] = [randomUUID(), randomUUID(), randomUUID()];
const evolve = (doc: ContactMembers | null, event: RecordedDerbelEvent) => feedMembersFold.evolve(doc, event as FeedSourceEvent);

function feedLog(seed: number, length = 50): RecordedDerbelEvent[] {
  const rnd = random(seed);
  const log = new TestLog();
  const contacts = [contactStream(log), contactStream(log)];
  return Array.from({ length }, (_, i) => {
    const c = rnd.pick(contacts);
    switch (rnd.int(3)) {
      case 0:
        return c.added(ana, ben);
      case 1:
        return c.sent(rnd.pick([ana, ben]), `message ${i}`);
      default:
        return meetingStream(log, c.contactId).started(ben, ana);
    }
  });
}

describe('feed members fold', () => {
  it.each(Array.from({ length: 20 }, (_, i) => i + 1))('obeys the fold laws over a random log (seed %i)', async (seed) => {
    await checkFoldLaws(feedMembersFold, (doc) => doc.contactId, feedLog(seed), random(seed));
  });

  it('a contact’s audience is its members from ContactAdded; other events and a repeat change nothing', () => {
    const log = new TestLog();
    const c = contactStream(log);
    const doc = evolve(null, c.added(ana, ben))!;
    expect(doc).toEqual({ contactId: c.contactId, members: [ana, ben] });
    expect(evolve(doc, c.added(ben, ana))).toBe(doc);
    expect(evolve(doc, c.sent(ana, 'hi'))).toBe(doc);
    expect(evolve(null, c.sent(eve, 'nobody listens'))).toBeNull();
  });
});
