import { randomUUID } from 'node:crypto';
import { randomIds, systemClock } from '../../../application/shared/clock.js';
import { CommandHandler } from '../../../application/shared/command-handler.js';
import { accountDecider } from '../../../domain/accounts/account.js';
import { canonicalUsername } from '../../../domain/accounts/username.js';
import { usernameClaimDecider } from '../../../domain/accounts/username-claim.js';
import { DomainError } from '../../../domain/decider.js';
import { streams } from '../../../domain/events.js';
import type { CliDatabase } from './cli-database.js';
import { CliError, UsageError, writeLine, type CliIo } from './cli-io.js';

export const ACCOUNTS_USAGE = ['derbel accounts release-username <name>   (a name claimed by a sign-up that never registered its account)'];

export function parseAccountsCommand(args: string[]) {
  const [sub, ...rest] = args;
  if (sub !== 'release-username') throw new UsageError(sub ? `Unknown accounts command '${sub}'` : 'Missing accounts command');
  if (rest.length !== 1) throw new UsageError('Name one username to release');
  let username: string;
  try {
    username = canonicalUsername(rest[0]);
  } catch (error) {
    if (error instanceof DomainError) throw new UsageError(error.message);
    throw error;
  }
  return { run: (db: CliDatabase, io: CliIo) => releaseUsername(db, io, username) };
}

/**
 * Before sign-up was all or nothing, a sign-up could claim a name and then fail to register its account,
 * leaving the name taken by nobody. This releases such a claim, and never one with an account behind it.
 */
async function releaseUsername(db: CliDatabase, io: CliIo, username: string): Promise<number> {
  const deps = { clock: systemClock, ids: randomIds };
  const claims = new CommandHandler(db.store, usernameClaimDecider, deps);
  const { state: claim } = await claims.load(streams.username(username));
  if (claim.status !== 'claimed') throw new CliError(`${username} is not claimed; nothing to release`);
  const { state: account } = await new CommandHandler(db.store, accountDecider, deps).load(streams.account(claim.userId));
  if (account.status === 'registered') throw new CliError(`${username} has an account (${claim.userId}); it is not released`);
  await claims.handle(
    streams.username(username),
    { type: 'ReleaseUsername', data: { username, userId: claim.userId } },
    { userId: null, correlationId: randomUUID() },
  );
  await db.pool.query('DELETE FROM credentials WHERE user_id = $1', [claim.userId]);
  await writeLine(io.stdout, `released ${username} (claimed by ${claim.userId}, who has no account)`);
  return 0;
}
