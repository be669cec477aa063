import { accountsProjection } from './accounts/accounts.projection.js';
import { activeMeetingsProjection } from './active-meetings/active-meetings.projection.js';
import { callLogProjection } from './call-log/call-log.projection.js';
import { contactListProjection } from './contact-list/contact-list.projection.js';
import { feedProjection } from './feed/feed.projection.js';
import { messagesProjection } from './messages/messages.projection.js';
import type { Projection } from './projection.js';

/**
 * The read models `derbel projections rebuild` knows, as the server runs them (the feed without its socket
 * push: a rebuild replays history, it does not re-deliver it). Add new projections here too.
 */
export function rebuildableProjections(): Projection<any>[] {
  return [accountsProjection, contactListProjection, messagesProjection, feedProjection(), activeMeetingsProjection, callLogProjection];
}
