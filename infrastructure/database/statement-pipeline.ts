import { createHash } from 'node:crypto';
import type pg from 'pg';
import { sqlLiteral } from './sql-literal.js';

interface Queued {
  text: string;
  values: unknown[];
  resolve(result: pg.QueryResult): void;
  reject(error: unknown): void;
}

/**
 * Sends the statements issued on one connection during a turn of the event loop to PostgreSQL together, as
 * one simple query: one round trip where node-postgres would take one per statement (it has no pipelining).
 * Callers still get each statement's own result, in order.
 *
 * Parameterized statements become `PREPARE` (once per connection) and `EXECUTE` with literal arguments:
 * PostgreSQL gives each argument the type the statement's parameter was inferred to have, exactly as with a
 * bound parameter, and plans each statement once per connection instead of on every call.
 *
 * When a statement fails, PostgreSQL skips the rest of that query: every statement of it and every later
 * one is rejected with the error, and the caller rolls back. Statements without parameters are sent as
 * they are (BEGIN, SET LOCAL, COMMIT). Each query must be one statement.
 */
export class StatementPipeline {
  private queued: Queued[] = [];
  private scheduled = false;
  private failure: unknown = null;

  /**
   * `prepared`: names already prepared on this connection; it must live exactly as long as the connection.
   * After a failed query it is no longer known which of that query's PREPAREs ran: end the connection then
   * (the projection runner does, with every failed batch).
   */
  constructor(
    private readonly client: pg.ClientBase,
    private readonly prepared: Set<string>,
  ) {}

  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<pg.QueryResult<R>> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<pg.QueryResult<R>>((resolve, reject) => {
      this.queued.push({ text, values, resolve: resolve as Queued['resolve'], reject });
      if (this.scheduled) return;
      this.scheduled = true;
      // Whatever the callers issue before the event loop turns goes in the same round trip.
      setImmediate(() => void this.flush());
    });
  }

  /** Refuses every statement from now on, and rejects those not yet sent. */
  abort(error: unknown) {
    this.failure ??= error;
    for (const statement of this.queued.splice(0)) statement.reject(this.failure);
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    const batch = this.queued.splice(0);
    if (batch.length === 0) return;
    const parts: string[] = [];
    const resultIndex: number[] = [];
    const preparing: string[] = [];
    for (const { text, values } of batch) {
      if (values.length === 0) {
        resultIndex.push(parts.push(text) - 1);
        continue;
      }
      const name = statementName(text);
      if (!this.prepared.has(name) && !preparing.includes(name)) {
        parts.push(`PREPARE ${name} AS ${text}`);
        preparing.push(name);
      }
      resultIndex.push(parts.push(`EXECUTE ${name}(${values.map(sqlLiteral).join(', ')})`) - 1);
    }
    let results: pg.QueryResult[];
    try {
      const answer = (await this.client.query(parts.join(';\n'))) as pg.QueryResult | pg.QueryResult[];
      results = Array.isArray(answer) ? answer : [answer];
      // A text of several statements would shift every later answer onto the wrong caller.
      if (results.length !== parts.length) throw new Error('a pipelined query must hold exactly one statement');
    } catch (error) {
      for (const statement of batch) statement.reject(error);
      this.abort(error);
      return;
    }
    for (const name of preparing) this.prepared.add(name);
    batch.forEach((statement, i) => statement.resolve(results[resultIndex[i]]));
  }
}

/** Each text hashed once: they are the code's own, a few dozen (some sized by a batch: bounded all the same). */
const statementNames = new Map<string, string>();
const MAX_STATEMENT_NAMES = 1_000;

function statementName(text: string): string {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `derbel_pipelined_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
    if (statementNames.size >= MAX_STATEMENT_NAMES) statementNames.clear();
    statementNames.set(text, name);
  }
  return name;
}
