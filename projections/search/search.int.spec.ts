import { randomUUID } from 'node:crypto';
import { describe, it } from 'vitest';
import type { MessageSent } from '../../domain/contacts/events.js';
import { expectQuery, projectionSpec, useProjectionDatabase } from '../../test/support/projection-specification.js';
import { contactStream, TestLog } from '../../test/support/recorded-events.js';
import { searchProjection } from './search.projection.js';

/** The search index on real PostgreSQL; each `when` runs as one batch and as batches of one. */
describe('search read model', () => {
  const db = useProjectionDatabase();
  const spec = () => projectionSpec(searchProjection, db);
  const [ana, ben] = [randomUUID(), randomUUID()];
  const idOf = (sent: { data: unknown }) => (sent.data as MessageSent['data']).messageId;
  /** Which messages a query finds, with their indexed text. */
  const finds = (query: string, rows: Array<{ id: string; text: string | null }>) =>
    expectQuery(
      `SELECT id::text, text FROM message_search WHERE document @@ (to_tsquery('english', $1) || to_tsquery('simple', $1)) ORDER BY seq`,
      [query],
      rows,
    );

  it('indexes sent messages with English stems and the words as written', async () => {
    const c = contactStream(new TestLog());
    const added = c.added(ana, ben);
    const meetings = c.sent(ana, 'Two meetings today');
    const hej = c.sent(ben, 'hej och välkommen');
    await spec()
      .given(added)
      .when(meetings, hej)
      .then(
        finds(`'meeting'`, [{ id: idOf(meetings), text: 'Two meetings today' }]),
        finds(`'two'`, [{ id: idOf(meetings), text: 'Two meetings today' }]),
        finds(`'välk':*`, [{ id: idOf(hej), text: 'hej och välkommen' }]),
      );
  });

  it('re-indexes an edit and empties a deleted message, which a later send of its id does not bring back', async () => {
    const c = contactStream(new TestLog());
    const lunch = c.sent(ana, 'lunch at noon');
    const soup = c.sent(ana, 'soup again');
    await spec()
      .given(lunch, soup)
      .when(c.edited(ana, idOf(lunch), 'dinner at eight'), c.deleted(ana, idOf(soup)), c.sent(ana, 'soup once more', idOf(soup)))
      .then(
        finds(`'lunch'`, []),
        finds(`'dinner'`, [{ id: idOf(lunch), text: 'dinner at eight' }]),
        finds(`'soup'`, []),
        expectQuery('SELECT count(*)::int AS n FROM message_search WHERE text IS NULL', [], [{ n: 1 }]),
      );
  });

  it('ignores an edit or delete by someone who did not send the message', async () => {
    const c = contactStream(new TestLog());
    const mine = c.sent(ana, 'see you at six');
    await spec()
      .given(mine)
      .when(c.edited(ben, idOf(mine), 'pay me'), c.deleted(ben, idOf(mine)))
      .then(finds(`'six'`, [{ id: idOf(mine), text: 'see you at six' }]), finds(`'pay'`, []));
  });
});
