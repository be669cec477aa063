import { createHash } from 'node:crypto';
import type pg from 'pg';

/** Statements a connection prepares at most: past it, new texts run unnamed (as before) instead of piling up. */
const MAX_NAMED_TEXTS = 500;
const names = new Map<string, string>();

/**
 * The name of a server-side prepared statement for `text`: PostgreSQL then parses and plans it once per
 * connection instead of on every call (planning was ~6 % of its CPU under load). The name is derived from
 * the text, so one name always means one text, as node-postgres requires.
 */
function statementName(text: string): string | undefined {
  const known = names.get(text);
  if (known || names.size >= MAX_NAMED_TEXTS) return known;
  const name = `derbel_${createHash('sha1').update(text).digest('base64url').slice(0, 20)}`;
  names.set(text, name);
  return name;
}

/** Runs `text` with `values` as a prepared statement on whichever connection the client uses. */
export function queryPrepared<R extends pg.QueryResultRow = pg.QueryResultRow>(
  client: Pick<pg.ClientBase, 'query'> | pg.Pool,
  text: string,
  values: unknown[],
): Promise<pg.QueryResult<R>> {
  return (client as pg.ClientBase).query<R>({ name: statementName(text), text, values });
}
