import { accountDecider, type AccountState, type RegisterAccount } from '../../domain/accounts/account.js';
import type { AccountRegistered, UsernameClaimEvent } from '../../domain/accounts/events.js';
import { trimmedDisplayName } from '../../domain/accounts/display-name.js';
import { canonicalUsername } from '../../domain/accounts/username.js';
import { usernameClaimDecider, type UsernameClaimCommand, type UsernameClaimState } from '../../domain/accounts/username-claim.js';
import { DomainError } from '../../domain/decider.js';
import { streams } from '../../domain/events.js';
import type { CredentialsRepository, PasswordHasher, SessionRepository, TokenService } from '../ports/auth.js';
import type { EventStore } from '../ports/event-store.js';
import type { Clock, IdGenerator } from '../shared/clock.js';
import type { CommandContext } from '../shared/command-context.js';
import { CommandHandler } from '../shared/command-handler.js';
import type { PublicUser } from './user.js';

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 200;

// A real bcrypt hash of a random string: unknown usernames cost as much as wrong passwords.
const TIMING_DUMMY_HASH = '$2b$10$CwTycUXWue0Thq9StjUM0uJ8.2CkwU/FfsYpgZ1QUZTWoz7K5G2Ma';

export interface AccountDeps {
  store: EventStore;
  hasher: PasswordHasher;
  credentials: CredentialsRepository;
  sessions: SessionRepository;
  tokens: TokenService;
  clock: Clock;
  ids: IdGenerator;
}

/**
 * Sign-up and sign-in. Both read the `username-…` and `account-…` streams, not a read model, so a user
 * can sign in the instant sign-up answered, on any node.
 */
export class AccountService {
  private readonly claims: CommandHandler<UsernameClaimState, UsernameClaimCommand, UsernameClaimEvent>;
  private readonly accounts: CommandHandler<AccountState, RegisterAccount, AccountRegistered>;

  constructor(private readonly deps: AccountDeps) {
    this.claims = new CommandHandler(deps.store, usernameClaimDecider, deps);
    this.accounts = new CommandHandler(deps.store, accountDecider, deps);
  }

  async register(
    input: { username: string; displayName: string; password: string },
    context: CommandContext,
  ): Promise<{ user: PublicUser; position: number }> {
    const username = canonicalUsername(input.username);
    const displayName = trimmedDisplayName(input.displayName);
    if (input.password.length < PASSWORD_MIN_LENGTH || input.password.length > PASSWORD_MAX_LENGTH) {
      throw new DomainError('INVALID_PASSWORD', `A password is ${PASSWORD_MIN_LENGTH}–${PASSWORD_MAX_LENGTH} characters`);
    }
    if (await this.findUserId(username)) throw new DomainError('USERNAME_TAKEN', `Username ${username} is taken`);

    const userId = this.deps.ids.newId();
    await this.deps.credentials.save(userId, await this.deps.hasher.hash(input.password));
    try {
      await this.claims.handle(streams.username(username), { type: 'ClaimUsername', data: { username, userId } }, context);
    } catch (error) {
      await this.deps.credentials.delete(userId);
      throw error;
    }
    let result;
    try {
      result = await this.accounts.handle(
        streams.account(userId),
        { type: 'RegisterAccount', data: { userId, username, displayName } },
        { ...context, userId },
      );
    } catch (error) {
      // All or nothing: a claim without its account would keep the name from everyone for good. Should the
      // release fail too (the store is down), `derbel accounts release-username` frees it later; the caller
      // is told what failed first.
      await this.releaseUsername(username, userId, context).catch(() => {});
      await this.deps.credentials.delete(userId).catch(() => {});
      throw error;
    }
    return { user: { id: userId, username, displayName }, position: result.position! };
  }

  /** Gives up `userId`'s claim on `username` (nothing when someone else holds it); the name may be claimed again. */
  async releaseUsername(username: string, userId: string, context: CommandContext): Promise<void> {
    await this.claims.handle(streams.username(username), { type: 'ReleaseUsername', data: { username, userId } }, context);
  }

  async signIn(input: {
    username: string;
    password: string;
  }): Promise<{ token: string; expiresAt: Date; user: PublicUser; csrfToken: string }> {
    const invalid = () => new DomainError('INVALID_CREDENTIALS', 'Wrong username or password');
    let userId: string | null;
    try {
      userId = await this.findUserId(canonicalUsername(input.username));
    } catch {
      userId = null;
    }
    const hash = userId ? await this.deps.credentials.find(userId) : null;
    const matches = await this.deps.hasher.verify(input.password, hash ?? TIMING_DUMMY_HASH);
    if (!userId || !hash || !matches) throw invalid();
    const user = await this.findUser(userId);
    if (!user) throw invalid();
    const sessionId = this.deps.ids.newId();
    const { token, expiresAt } = this.deps.tokens.issue({ userId, sessionId });
    await this.deps.sessions.create({ id: sessionId, userId, expiresAt });
    return { token, expiresAt, user, csrfToken: this.deps.tokens.csrfTokenFor(sessionId) };
  }

  async signOut(sessionId: string): Promise<void> {
    await this.deps.sessions.revoke(sessionId);
  }

  /** The owner of a username, straight from its claim stream; null when unclaimed. */
  async findUserId(username: string): Promise<string | null> {
    const { state } = await this.claims.load(streams.username(username.toLowerCase()));
    return state.status === 'claimed' ? state.userId : null;
  }

  async findUser(userId: string): Promise<PublicUser | null> {
    const { state } = await this.accounts.load(streams.account(userId));
    return state.status === 'registered' ? { id: userId, username: state.username, displayName: state.displayName } : null;
  }
}
