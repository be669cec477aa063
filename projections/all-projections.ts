import { accountsProjection } from './accounts/accounts.projection.js';
import { activeMeetingsProjection } from './active-meetings/active-meetings.projection.js';
import { blocksProjection } from './blocks/blocks.projection.js';
import { callLogProjection } from './call-log/call-log.projection.js';
import { contactListProjection } from './contact-list/contact-list.projection.js';
import { conversationMembersProjection } from './conversation-members/conversation-members.projection.js';
import { contactRequestsProjection } from './contact-requests/contact-requests.projection.js';
import { feedProjection } from './feed/feed.projection.js';
import { messagesProjection } from './messages/messages.projection.js';
import type { Projection } from './projection.js';
import { searchProjection } from './search/search.projection.js';

/** Every read model, as the server runs them and `derbel projections rebuild` knows them. Add new ones here. */
export function allProjections(): Projection<unknown>[] {
  return [
    accountsProjection,
    contactListProjection,
    messagesProjection,
    feedProjection,
    activeMeetingsProjection,
    callLogProjection,
    contactRequestsProjection,
    blocksProjection,
    searchProjection,
    conversationMembersProjection,
  ];
}
