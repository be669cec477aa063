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
} as const;

export type ProjectionName = (typeof PROJECTIONS)[keyof typeof PROJECTIONS];
