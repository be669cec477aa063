import type pg from 'pg';
import type { AccountService } from '../application/accounts/account-service.js';
import type { AttachmentService } from '../application/attachments/attachment-service.js';
import type { ContactService } from '../application/contacts/contact-service.js';
import type { GroupService } from '../application/contacts/group-service.js';
import type { MeetingService } from '../application/meetings/meeting-service.js';
import type { SessionRepository, TokenService } from '../application/ports/auth.js';
import type { EventStore } from '../application/ports/event-store.js';
import type { Clock, IdGenerator } from '../application/shared/clock.js';
import type { SessionRenewal } from '../application/accounts/session-renewal.js';
import type { SessionJournal } from './auth/session-journal.js';
import type { HistoryPageCache } from './http/history-page-cache.js';
import type { CheckpointWaiter } from './projections/checkpoint-waiter.js';
import type { Readiness } from './projections/projection-health.js';
import type { Config } from './config/config.js';
import type { Limiters } from './rate-limits/limiters.js';

/** Everything the HTTP routes and the socket gateway need, wired once by the server. */
export interface AppContext {
  config: Config;
  pool: pg.Pool;
  store: EventStore;
  clock: Clock;
  ids: IdGenerator;
  accounts: AccountService;
  contacts: ContactService;
  groups: GroupService;
  meetings: MeetingService;
  /** Uploads, downloads and removal of files sent in messages. */
  attachments: AttachmentService;
  tokens: TokenService;
  sessions: SessionRepository;
  checkpoints: CheckpointWaiter;
  /** History pages this node served, checked against their conversation's version on every read. */
  historyPages: HistoryPageCache;
  renewal: SessionRenewal;
  sessionJournal: SessionJournal;
  /** Per-client rate limits (shared through Redis when configured). */
  limits: Limiters;
  /** Set once Socket.io is attached. */
  realtime: RealtimeControl;
  readiness(): Promise<Readiness>;
}

export interface RealtimeControl {
  /** Tells every socket of this session (on any node) that it ended, and disconnects them. */
  endSession(sessionId: string): Promise<void>;
  isOnline(userIds: string[]): Promise<Set<string>>;
}
