import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { Sql } from '../../projections/projection.js';

/**
 * Runs each parameterized statement as a named prepared statement of `client`: parsed once per connection,
 * then bound, planned for the table as it is now and executed. A rebuild runs the same few statements once per
 * event for the read models written by SQL per event, where parsing was much of PostgreSQL's work. Statements without parameters run as they are; past
 * `limit` distinct texts, new ones run unnamed.
 */
export async function preparedSql(client: pg.ClientBase, limit = 200): Promise<Sql> {
  // A rebuild reads the tables it is filling: a plan PostgreSQL made once for the empty table and kept (its
  // generic plan, chosen after five executions) would scan the whole table for every event. Plan each
  // execution; parsing once is what is saved. Set outside any transaction, so no rollback takes it back.
  await client.query('SET plan_cache_mode TO force_custom_plan');
  const names = new Map<string, string>();
  return {
    query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]) {
      if (!values || values.length === 0) return client.query<R>(text, values);
      let name = names.get(text);
      if (name === undefined && names.size < limit) names.set(text, (name = statementName(text)));
      return name === undefined ? client.query<R>(text, values) : client.query<R>({ name, text, values });
    },
  };
}

/** Named after the text, so two of these on one connection agree on every name. */
const statementName = (text: string) => `derbel_rebuild_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
