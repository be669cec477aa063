import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { Sql } from '../../projections/projection.js';

/**
 * Runs each parameterized statement as a named prepared statement of `client`: parsed and planned once per
 * connection, then only bound and executed (as the live runner's statement pipeline does with PREPARE). A
 * rebuild runs the same few statements once per event for the read models written by SQL per event, where
 * parsing and planning were most of PostgreSQL's work. Statements without parameters run as they are; past
 * `limit` distinct texts, new ones run unnamed.
 */
export function preparedSql(client: pg.ClientBase, limit = 200): Sql {
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
