/** Every read model's name: its checkpoint row, its leader lock, and what `?minPosition=` waits for. */
export const PROJECTIONS = {
  accounts: 'accounts',
  contactList: 'contact_list',
  messages: 'messages',
  feed: 'feed',
  activeMeetings: 'active_meetings',
  callLog: 'call_log',
  contactRequests: 'contact_requests',
  blocks: 'blocks',
  search: 'search',
  conversationMembers: 'conversation_members',
} as const;

export type ProjectionName = (typeof PROJECTIONS)[keyof typeof PROJECTIONS];
