import { parseArgs } from 'node:util';
import type { RecordedEvent } from '../../../application/ports/event-store.js';
import { streams } from '../../../domain/events.js';
import type { CliDatabase } from './cli-database.js';
import { auditSessions } from './audit-sessions.js';
import { CliError, integerOption, timeOption, UsageError, writeLine, type CliIo } from './cli-io.js';
import { formatTable } from './format-table.js';

export const AUDIT_USAGE = [
  'derbel audit stream <streamId> [--json]',
  'derbel audit user <username> [--since <ISO time>] [--until <ISO time>] [--json]',
  'derbel audit sessions <username> [--limit N] [--json]',
];

const PAGE = 1_000;

export function parseAuditCommand(args: string[]) {
  const [sub, ...rest] = args;
  if (sub === 'stream') {
    const { values, positionals } = parseArgs({ args: rest, options: { json: { type: 'boolean' } }, strict: true, allowPositionals: true });
    if (positionals.length !== 1) throw new UsageError('audit stream takes exactly one stream id, e.g. contact-<contactId>');
    return { run: (db: CliDatabase, io: CliIo) => auditStream(db, io, positionals[0], values.json ?? false) };
  }
  if (sub === 'user') {
    const { values, positionals } = parseArgs({
      args: rest,
      options: { json: { type: 'boolean' }, since: { type: 'string' }, until: { type: 'string' } },
      strict: true,
      allowPositionals: true,
    });
    if (positionals.length !== 1) throw new UsageError('audit user takes exactly one username');
    const since = timeOption('since', values.since);
    const until = timeOption('until', values.until);
    if (since && until && since > until) throw new UsageError('--since is after --until');
    return { run: (db: CliDatabase, io: CliIo) => auditUser(db, io, positionals[0], { since, until }, values.json ?? false) };
  }
  if (sub === 'sessions') {
    const { values, positionals } = parseArgs({
      args: rest,
      options: { json: { type: 'boolean' }, limit: { type: 'string' } },
      strict: true,
      allowPositionals: true,
    });
    if (positionals.length !== 1) throw new UsageError('audit sessions takes exactly one username');
    const limit = integerOption('limit', values.limit, { min: 1, max: 100_000 }) ?? 200;
    return {
      run: async (db: CliDatabase, io: CliIo) =>
        auditSessions(db, io, positionals[0], await userIdOf(db, positionals[0]), { limit, json: values.json ?? false }),
    };
  }
  throw new UsageError(sub ? `Unknown audit command '${sub}'` : 'Missing audit command');
}

async function auditStream(db: CliDatabase, io: CliIo, streamId: string, json: boolean): Promise<number> {
  const events: RecordedEvent[] = [];
  for (let from = 0; ;) {
    const page = await db.store.readStream(streamId, { from, limit: PAGE });
    events.push(...page);
    if (page.length < PAGE) break;
    from = page[page.length - 1].revision + 1;
  }
  if (events.length === 0) throw new CliError(`No stream named '${streamId}' (it has no events)`);
  const usernames = await usernamesOf(db, events);
  if (json) {
    const entries = events.map((e) => ({
      revision: e.revision,
      position: e.position,
      time: e.metadata.timestamp,
      type: e.type,
      userId: e.metadata.userId,
      username: usernames.get(e.metadata.userId ?? '') ?? null,
      id: e.id,
      data: e.data,
      metadata: e.metadata,
    }));
    await writeLine(io.stdout, JSON.stringify(entries, null, 2));
    return 0;
  }
  const rows = events.map((e) => [
    String(e.revision),
    String(e.position),
    e.metadata.timestamp,
    e.type,
    userLabel(e, usernames),
    JSON.stringify(e.data),
  ]);
  for (const line of formatTable(['REV', 'POSITION', 'TIME', 'TYPE', 'USER', 'DATA'], rows)) await writeLine(io.stdout, line);
  return 0;
}

async function auditUser(
  db: CliDatabase,
  io: CliIo,
  username: string,
  range: { since?: Date; until?: Date },
  json: boolean,
): Promise<number> {
  const userId = await userIdOf(db, username);
  if (!userId) throw new CliError(`No user named '${username}'`);
  const inRange = (e: RecordedEvent) => {
    const at = Date.parse(e.metadata.timestamp);
    return (!range.since || at >= range.since.getTime()) && (!range.until || at < range.until.getTime());
  };
  const events = (await eventsCausedBy(db, userId)).filter(inRange);
  if (json) {
    const entries = events.map((e) => ({
      position: e.position,
      streamId: e.streamId,
      revision: e.revision,
      time: e.metadata.timestamp,
      type: e.type,
      id: e.id,
      data: e.data,
    }));
    await writeLine(io.stdout, JSON.stringify({ username, userId, events: entries }, null, 2));
    return 0;
  }
  await writeLine(io.stdout, `${events.length} event${events.length === 1 ? '' : 's'} caused by ${username} (${userId})`);
  const rows = events.map((e) => [
    String(e.position),
    e.streamId,
    String(e.revision),
    e.metadata.timestamp,
    e.type,
    JSON.stringify(e.data),
  ]);
  for (const line of formatTable(['POSITION', 'STREAM', 'REV', 'TIME', 'TYPE', 'DATA'], rows)) await writeLine(io.stdout, line);
  return 0;
}

/** From the log itself: the username's claim names the account. */
async function userIdOf(db: CliDatabase, username: string): Promise<string | null> {
  const [claim] = await db.store.readStream(streams.username(username), { limit: 1 });
  const userId = (claim?.data as { userId?: unknown } | undefined)?.userId;
  return typeof userId === 'string' ? userId : null;
}

/** Every event whose metadata names the user, in global order (the events table has an index for this). */
async function eventsCausedBy(db: CliDatabase, userId: string): Promise<RecordedEvent[]> {
  const found: RecordedEvent[] = [];
  if (db.logInPostgres) {
    for (let after = 0; ;) {
      const { rows } = await db.pool.query(
        `SELECT position, stream_id, revision, event_id, type, data, metadata FROM events
         WHERE metadata->>'userId' = $1 AND position > $2 ORDER BY position LIMIT $3`,
        [userId, after, PAGE],
      );
      for (const r of rows) {
        found.push(
          db.store.upcast({
            id: r.event_id,
            type: r.type,
            data: r.data,
            metadata: r.metadata,
            streamId: r.stream_id,
            revision: Number(r.revision),
            position: Number(r.position),
          }),
        );
      }
      if (rows.length < PAGE) return found;
      after = Number(rows[rows.length - 1].position);
    }
  }
  for (let after = 0; ;) {
    const page = await db.store.readAll({ after, limit: PAGE });
    found.push(...page.filter((e) => e.metadata.userId === userId));
    if (page.length < PAGE) return found;
    after = page[page.length - 1].position;
  }
}

async function usernamesOf(db: CliDatabase, events: RecordedEvent[]): Promise<Map<string, string>> {
  const ids = [...new Set(events.map((e) => e.metadata.userId).filter((id): id is string => typeof id === 'string'))];
  if (ids.length === 0) return new Map();
  const { rows } = await db.pool.query<{ user_id: string; username: string }>(
    'SELECT user_id::text, username FROM accounts WHERE user_id::text = ANY($1)',
    [ids],
  );
  return new Map(rows.map((r) => [r.user_id, r.username]));
}

const userLabel = (e: RecordedEvent, usernames: Map<string, string>) => {
  const id = e.metadata.userId;
  if (!id) return '-';
  return usernames.get(id) ?? id;
};
