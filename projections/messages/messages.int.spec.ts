import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { MessageSent } from '../../domain/contacts/events.js';
import { expectParked, expectRows, projectionSpec, useProjectionDatabase } from '../../test/support/projection-specification.js';
import { contactStream, TestLog } from '../../test/support/recorded-events.js';
import type { Sql } from '../projection.js';
import type { RecordedDerbelEvent } from '../recorded-event.js';
import { messagesProjection } from './messages.projection.js';

/**
 * The messages read model (history per contact) on real PostgreSQL: `messagesFold` over the rows a batch
 * touches. Each `when` runs as one batch and as batches of one (projection-specification.ts).
 */
describe('messages read model', () => {
  const db = useProjectionDatabase();
  const spec = () => projectionSpec(messagesProjection, db);
  const [ana, ben, eve] = [randomUUID(), randomUUID(), randomUUID()];

  /** The history row a `MessageSent` creates, with `changes` on top. */
  const row = (sent: RecordedDerbelEvent, changes: Record<string, unknown> = {}) => {
    const d = sent.data as MessageSent['data'];
    return {
      contact_id: d.contactId,
      seq: sent.revision,
      id: d.messageId,
      sender_id: d.senderId,
      text: d.text,
      sent_at: sent.metadata.timestamp,
      edited_at: null,
      deleted: false,
      attachments: d.attachments ?? null,
      reply_to: d.replyTo ?? null,
      reactions: null,
      ...changes,
    };
  };

  describe('sending', () => {
    it('a sent message is a row: its stream revision as seq, the handler timestamp as sent_at', async () => {
      const log = new TestLog();
      const c = contactStream(log);
      const added = c.added(ana, ben);
      const hello = c.sent(ana, 'hello');
      const hi = c.sent(ben, 'hi ana');
      await spec()
        .given(added)
        .when(hello, hi)
        .then(expectRows('messages', [row(hello), row(hi)]));
    });

    it('a retried send of the same id by the same sender keeps the first', async () => {
      const log = new TestLog();
      const c = contactStream(log);
      const first = c.sent(ana, 'first try');
      const retry = c.sent(ana, 'second try', (first.data as MessageSent['data']).messageId);
      await spec()
        .given(first)
        .when(retry)
        .then(expectRows('messages', [row(first)]));
      // Both in one batch: the row is created once, from the first.
      await spec()
        .given()
        .when(first, retry)
        .then(expectRows('messages', [row(first)]));
    });

    it('another member reusing a message id does not overwrite it (nor can they then edit or delete it)', async () => {
      const log = new TestLog();
      const c = contactStream(log);
      const anas = c.sent(ana, 'see you at 6');
      const id = (anas.data as MessageSent['data']).messageId;
      const bens = c.sent(ben, 'I owe you nothing', id);
      const bensEdit = c.edited(ben, id, 'I will pay you 10000 EUR');
      const bensDelete = c.deleted(ben, id);
      await spec()
        .given(anas)
        .when(bens, bensEdit, bensDelete)
        .then(expectRows('messages', [row(anas)]));
      await spec()
        .given()
        .when(anas, bens, bensEdit)
        .then(expectRows('messages', [row(anas)]));
    });

    it('the same message id in two contacts is two messages', async () => {
      const log = new TestLog();
      const [c1, c2] = [contactStream(log), contactStream(log)];
      const id = randomUUID();
      const one = c1.sent(ana, 'to ben', id);
      const two = c2.sent(ana, 'to eve', id);
      await spec()
        .given()
        .when(one, two)
        .then(expectRows('messages', [row(one), row(two)]));
    });
  });

  describe('editing and deleting', () => {
    it('the sender edits: new text and edited_at; the last edit wins', async () => {
      const log = new TestLog();
      const c = contactStream(log);
      const sent = c.sent(ana, 'helo');
      const id = (sent.data as MessageSent['data']).messageId;
      const edit1 = c.edited(ana, id, 'hello');
      const edit2 = c.edited(ana, id, 'hello!');
      await spec()
        .given(sent)
        .when(edit1, edit2)
        .then(expectRows('messages', [row(sent, { text: 'hello!', edited_at: edit2.metadata.timestamp })]));
    });

    it('a send and its edit in the same batch', async () => {
      const log = new TestLog();
      const c = contactStream(log);
      const sent = c.sent(ana, 'helo');
      const edit = c.edited(ana, (sent.data as MessageSent['data']).messageId, 'hello');
      await spec()
        .given()
        .when(sent, edit)
        .then(expectRows('messages', [row(sent, { text: 'hello', edited_at: edit.metadata.timestamp })]));
    });

    it('the sender deletes: a tombstone without text, edited_at untouched', async () => {
      const log = new TestLog();
      const c = contactStream(log);
      const sent = c.sent(ana, 'oops');
      const id = (sent.data as MessageSent['data']).messageId;
      const edit = c.edited(ana, id, 'oops!');
      const del = c.deleted(ana, id);
      await spec()
        .given(sent, edit)
        .when(del)
        .then(expectRows('messages', [row(sent, { text: null, deleted: true, edited_at: edit.metadata.timestamp })]));
    });

    it('an edit or a delete by someone else (a legacy log) changes nothing', async () => {
      const log = new TestLog();
      const c = contactStream(log);
      const sent = c.sent(ana, 'mine');
      const id = (sent.data as MessageSent['data']).messageId;
      await spec()
        .given(sent)
        .when(c.edited(ben, id, 'yours'), c.deleted(ben, id), c.edited(eve, id, 'nobody'), c.deleted(eve, id))
        .then(expectRows('messages', [row(sent)]));
    });

    it('an edit after the delete changes nothing; a second delete neither', async () => {
      const log = new TestLog();
      const c = contactStream(log);
      const sent = c.sent(ana, 'gone');
      const id = (sent.data as MessageSent['data']).messageId;
      const del = c.deleted(ana, id);
      await spec()
        .given(sent, del)
        .when(c.edited(ana, id, 'back'), c.deleted(ana, id, { at: '2025-03-03T10:00:00.000Z' }))
        .then(expectRows('messages', [row(sent, { text: null, deleted: true })]));
      await spec()
        .given(sent)
        .when(del, c.edited(ana, id, 'back again'))
        .then(expectRows('messages', [row(sent, { text: null, deleted: true })]));
    });

    it('an edit or delete of a message that was never sent creates nothing', async () => {
      const log = new TestLog();
      const c = contactStream(log);
      await spec()
        .given()
        .when(c.edited(ana, randomUUID(), 'ghost'), c.deleted(ana, randomUUID()))
        .then(expectRows('messages', []));
    });

    it('other contacts and other messages are untouched', async () => {
      const log = new TestLog();
      const [c1, c2] = [contactStream(log), contactStream(log)];
      const a = c1.sent(ana, 'a');
      const b = c1.sent(ben, 'b');
      const other = c2.sent(ana, 'elsewhere');
      const editA = c1.edited(ana, (a.data as MessageSent['data']).messageId, 'a!');
      await spec()
        .given(a, b, other)
        .when(editA)
        .then(expectRows('messages', [row(a, { text: 'a!', edited_at: editA.metadata.timestamp }), row(b), row(other)]));
    });
  });

  describe('events it cannot apply are parked, the rest of the batch lands', () => {
    it('a non-canonical message id, a text with NUL, missing data', async () => {
      const log = new TestLog();
      const c = contactStream(log);
      const before = c.sent(ana, 'before');
      const upper = c.raw(
        'MessageSent',
        { contactId: c.contactId, messageId: randomUUID().toUpperCase(), senderId: ben, text: 'shouting' },
        { userId: ben },
      );
      const urn = c.raw(
        'MessageSent',
        { contactId: c.contactId, messageId: `urn:uuid:${randomUUID()}`, senderId: ben, text: 'urn' },
        { userId: ben },
      );
      const nul = c.raw(
        'MessageSent',
        { contactId: c.contactId, messageId: randomUUID(), senderId: ben, text: 'a\u0000b' },
        { userId: ben },
      );
      const noData = c.raw('MessageSent', null, { userId: ben });
      const noText = c.raw('MessageSent', { contactId: c.contactId, messageId: randomUUID(), senderId: ben }, { userId: ben });
      const after = c.sent(ben, 'after');
      await spec()
        .given()
        .when(before, upper, urn, nul, noData, noText, after)
        .then(
          expectRows('messages', [row(before), row(after)]),
          expectParked(
            { event: upper, error: /messageId is not a canonical uuid/ },
            { event: urn, error: /messageId is not a canonical uuid/ },
            { event: nul, error: /text is not text/ },
            { event: noData, error: /data is not an object/ },
            { event: noText, error: /text is not text/ },
          ),
        );
    });

    it('a malformed edit or delete of an existing message is parked and changes nothing', async () => {
      const log = new TestLog();
      const c = contactStream(log);
      const sent = c.sent(ana, 'keep me');
      const id = (sent.data as MessageSent['data']).messageId;
      const badEdit = c.raw('MessageEdited', { contactId: c.contactId, messageId: id, editorId: ana, text: 42 }, { userId: ana });
      const badEditor = c.raw(
        'MessageEdited',
        { contactId: c.contactId, messageId: id, editorId: ana.toUpperCase(), text: 'x' },
        { userId: ana },
      );
      const badDelete = c.raw('MessageDeleted', { contactId: c.contactId, messageId: id }, { userId: ana });
      const goodEdit = c.edited(ana, id, 'kept and edited');
      await spec()
        .given(sent)
        .when(badEdit, badEditor, badDelete, goodEdit)
        .then(
          expectRows('messages', [row(sent, { text: 'kept and edited', edited_at: goodEdit.metadata.timestamp })]),
          expectParked(
            { event: badEdit, error: /text is not text/ },
            { event: badEditor, error: /editorId/ },
            { event: badDelete, error: /deletedBy/ },
          ),
        );
    });

    it('a timestamp that is not ISO is parked; one PostgreSQL refuses is parked with its SQLSTATE', async () => {
      const log = new TestLog();
      const c = contactStream(log);
      const notIso = c.sent(ana, 'when?', randomUUID(), { at: 'yesterday' });
      // JavaScript reads 30 February as 2 March; PostgreSQL refuses it (22008 datetime field overflow). Today
      // the fold lets it through and the INSERT fails (see messages.fold.unit.spec.ts: time travel shows it).
      const overflow = c.sent(ana, 'leap', randomUUID(), { at: '2025-02-30T10:00:00.000Z' });
      const fine = c.sent(ana, 'now');
      await spec()
        .given()
        .when(notIso, overflow, fine)
        .then(
          expectRows('messages', [row(fine)]),
          expectParked(
            { event: notIso, error: /metadata.timestamp is not an ISO timestamp/ },
            { event: overflow, code: /^(22008|MALFORMED_EVENT)$/ },
          ),
        );
    });
  });

  describe('files', () => {
    const photo = { id: randomUUID(), name: 'beach.png', size: 123_456, contentType: 'image/png', width: 1024, height: 768 };
    const paper = { id: randomUUID(), name: 'notes.pdf', size: 9_000, contentType: 'application/pdf' };

    it('a message keeps the metadata of its files; an edit keeps them; a delete drops them with the text', async () => {
      const log = new TestLog();
      const c = contactStream(log);
      const messageId = randomUUID();
      const sent = c.raw(
        'MessageSent',
        { contactId: c.contactId, messageId, senderId: ana, text: '', attachments: [photo, paper] },
        { userId: ana },
      );
      const edited = c.edited(ana, messageId, 'our holiday');
      const deleted = c.deleted(ana, messageId);
      await spec()
        .given()
        .when(sent)
        .then(expectRows('messages', [row(sent, { attachments: [photo, paper] })]));
      await spec()
        .given(sent)
        .when(edited)
        .then(
          expectRows('messages', [row(sent, { attachments: [photo, paper], text: 'our holiday', edited_at: edited.metadata.timestamp })]),
        );
      await spec()
        .given(sent, edited)
        .when(deleted)
        .then(expectRows('messages', [row(sent, { attachments: null, text: null, edited_at: edited.metadata.timestamp, deleted: true })]));
    });

    it('files with a bad id, size or name are parked', async () => {
      const log = new TestLog();
      const c = contactStream(log);
      const send = (attachments: unknown) =>
        c.raw('MessageSent', { contactId: c.contactId, messageId: randomUUID(), senderId: ana, text: '', attachments }, { userId: ana });
      const badId = send([{ ...photo, id: 'x' }]);
      const badSize = send([{ ...photo, size: -1 }]);
      const noName = send([{ ...photo, name: undefined }]);
      const notList = send({ ...photo });
      const fine = c.sent(ana, 'fine');
      await spec()
        .given()
        .when(badId, badSize, noName, notList, fine)
        .then(
          expectRows('messages', [row(fine)]),
          expectParked(
            { event: badId, error: /attachments\[0\].id is not a canonical uuid/ },
            { event: badSize, error: /attachments\[0\].size/ },
            { event: noName, error: /attachments\[0\].name is not text/ },
            { event: notList, error: /attachments is not a list/ },
          ),
        );
    });
  });

  describe('replies and reactions (issue 20)', () => {
    it('a reply keeps the id of its original; reactions are kept per emoji in the order they came', async () => {
      const log = new TestLog();
      const c = contactStream(log);
      const original = c.sent(ana, 'hello');
      const originalId = (original.data as MessageSent['data']).messageId;
      const reply = c.replied(ben, originalId, 'hi back');
      const thumbs = c.reacted(ben, originalId, '👍');
      const heart = c.reacted(ana, originalId, '❤️');
      const thumbsToo = c.reacted(ana, originalId, '👍');
      const again = c.reacted(ana, originalId, '👍');
      const back = c.unreacted(ben, originalId, '👍');
      await spec()
        .given()
        .when(original, reply, thumbs, heart, thumbsToo, again)
        .then(
          expectRows('messages', [
            row(original, {
              reactions: [
                { emoji: '👍', userIds: [ben, ana] },
                { emoji: '❤️', userIds: [ana] },
              ],
            }),
            row(reply),
          ]),
        );
      await spec()
        .given(original, reply, thumbs, heart, thumbsToo, again)
        .when(back, c.unreacted(ana, originalId, '❤️'))
        .then(expectRows('messages', [row(original, { reactions: [{ emoji: '👍', userIds: [ana] }] }), row(reply)]));
    });

    it('a deletion drops the reactions, and a reaction to a deleted message changes nothing', async () => {
      const log = new TestLog();
      const c = contactStream(log);
      const sent = c.sent(ana, 'oops');
      const id = (sent.data as MessageSent['data']).messageId;
      await spec()
        .given(sent, c.reacted(ben, id, '👍'))
        .when(c.deleted(ana, id), c.reacted(ben, id, '❤️'))
        .then(expectRows('messages', [row(sent, { text: null, deleted: true })]));
    });

    it('a reaction that is not one emoji, or a reply to a non-uuid, is parked', async () => {
      const log = new TestLog();
      const c = contactStream(log);
      const sent = c.sent(ana, 'hello');
      const id = (sent.data as MessageSent['data']).messageId;
      const word = c.raw('ReactionAdded', { contactId: c.contactId, messageId: id, userId: ben, emoji: 'yes' }, { userId: ben });
      const badReply = c.raw(
        'MessageSent',
        { contactId: c.contactId, messageId: randomUUID(), senderId: ben, text: 'x', replyTo: 'x' },
        { userId: ben },
      );
      await spec()
        .given(sent)
        .when(word, badReply)
        .then(expectRows('messages', [row(sent)]), expectParked({ event: word, error: /emoji/ }, { event: badReply, error: /replyTo/ }));
    });
  });

  describe('round trips', () => {
    /** Applies batches in a transaction that is rolled back, counting the statements each one sends. */
    async function counted(run: (apply: (events: RecordedDerbelEvent[]) => Promise<string[]>, sql: Sql) => Promise<void>) {
      const client = await db.pool.connect();
      try {
        await client.query('BEGIN');
        const sql: Sql = { query: (text, values) => client.query(text, values) };
        await run(async (events) => {
          const texts: string[] = [];
          await messagesProjection.apply({ query: (text, values) => (texts.push(text), client.query(text, values)) }, events);
          return texts;
        }, sql);
      } finally {
        await client.query('ROLLBACK');
        client.release();
      }
    }

    it("a batch of sends is one statement, the conversation's version count included; an edit reads, then one", async () => {
      const log = new TestLog();
      const c = contactStream(log);
      const hello = c.sent(ana, 'hello');
      const hi = c.sent(ben, 'hi ana');
      const { contactId, messageId } = hello.data as MessageSent['data'];
      await counted(async (apply, sql) => {
        const version = async () =>
          (await sql.query('SELECT changes::int, position::int FROM message_versions WHERE contact_id = $1', [contactId])).rows;
        expect(await apply([hello, hi])).toHaveLength(1);
        expect((await sql.query('SELECT count(*)::int AS n FROM messages WHERE contact_id = $1', [contactId])).rows).toEqual([{ n: 2 }]);
        expect(await version()).toEqual([{ changes: 2, position: hi.position }]);

        const edit = c.edited(ana, messageId, 'hello!');
        expect(await apply([edit])).toHaveLength(2);
        expect(await version()).toEqual([{ changes: 3, position: edit.position }]);
      });
    });
  });
});
