import { SessionJournal } from '../../auth/session-journal.js';
import type { CliDatabase } from './cli-database.js';
import { writeLine, type CliIo } from './cli-io.js';
import { formatTable } from './format-table.js';

/**
 * `derbel audit sessions <username>`: the account's sign-ins, renewals, sign-outs and failed sign-ins (also
 * failures for a username nobody has), with the address and browser of each; never a password or token.
 */
export async function auditSessions(
  db: CliDatabase,
  io: CliIo,
  username: string,
  userId: string | null,
  options: { limit: number; json: boolean },
): Promise<number> {
  const entries = await new SessionJournal(db.pool).history({ userId, username, limit: options.limit });
  if (options.json) {
    await writeLine(io.stdout, JSON.stringify({ username, userId, events: entries }, null, 2));
    return 0;
  }
  await writeLine(
    io.stdout,
    `${entries.length} session event${entries.length === 1 ? '' : 's'} of ${username}${userId ? ` (${userId})` : ' (no such account)'}`,
  );
  const rows = entries.map((e) => [e.at, e.kind, e.sessionId ?? '-', e.address ?? '-', e.userAgent ?? '-']);
  for (const line of formatTable(['TIME', 'WHAT', 'SESSION', 'ADDRESS', 'BROWSER'], rows)) await writeLine(io.stdout, line);
  return 0;
}
