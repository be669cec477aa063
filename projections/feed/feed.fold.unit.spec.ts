import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkFoldLaws, random } from '../../test/support/fold-laws.js';
import { contactStream, groupStream, meetingStream, TestLog } from '../../test/support/recorded-events.js';
import type { RecordedDerbelEvent } from '../recorded-event.js';
import type { FeedSourceEvent } from './feed-entry.js';
import { feedMembersFold, type ContactMembers } from './feed.fold.js';

const [ana, ben, eve, dan] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
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

/** A log of groups: created, members added, removed, leaving, messages, in any order. */
function groupLog(seed: number, length = 50): RecordedDerbelEvent[] {
  const rnd = random(seed);
  const log = new TestLog();
  const groups = [groupStream(log), groupStream(log)];
  const users = [ana, ben, eve, dan];
  return Array.from({ length }, (_, i) => {
    const g = rnd.pick(groups);
    switch (rnd.int(5)) {
      case 0:
        return g.created(ana, [ben, eve]);
      case 1:
        return g.membersAdded(ana, [rnd.pick(users), rnd.pick(users)]);
      case 2:
        return g.memberRemoved(ana, rnd.pick(users));
      case 3:
        return g.memberLeft(rnd.pick(users));
      default:
        return g.sent(rnd.pick(users), `message ${i}`);
    }
  });
}

describe('feed members fold', () => {
  it.each(Array.from({ length: 10 }, (_, i) => i + 1))('obeys the fold laws over a random log of groups (seed %i)', async (seed) => {
    await checkFoldLaws(feedMembersFold, (doc) => doc.contactId, groupLog(seed), random(seed));
  });

  it('a group’s audience is its current members: created, added, removed, left', () => {
    const log = new TestLog();
    const g = groupStream(log);
    const created = evolve(null, g.created(ana, [ben, eve]))!;
    expect(created).toEqual({ contactId: g.contactId, members: [ana, ben, eve] });
    const added = evolve(created, g.membersAdded(ana, [dan, ben]))!;
    expect(added.members).toEqual([ana, ben, eve, dan]);
    const removed = evolve(added, g.memberRemoved(ana, ben))!;
    expect(removed.members).toEqual([ana, eve, dan]);
    const left = evolve(removed, g.memberLeft(eve))!;
    expect(left.members).toEqual([ana, dan]);
    expect(evolve(left, g.memberLeft(eve)), 'a leave of someone not in it').toBe(left);
    expect(evolve(left, g.membersAdded(ana, [dan])), 'an add of someone in it').toBe(left);
    expect(evolve(left, g.renamed(ana, 'New'))).toBe(left);
    expect(evolve(left, g.created(eve, [ben, dan])), 'created again (a corrupt log)').toBe(left);
    expect(evolve(null, groupStream(log).membersAdded(ana, [dan])), 'an add to no group').toBeNull();
  });

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
