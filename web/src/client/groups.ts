import { ApiError } from './transport/api-error.js';
import { backoffDelay } from './transport/backoff.js';
import { knownUser, type ContactsState } from './state/contacts-state.js';
import { groupFromServer, groupsToRead, withServerGroup, type Group } from './state/groups-state.js';
import type { Observable } from './observable.js';
import type { RestClient } from './transport/rest-client.js';
import type { FeedEvent, User } from './types.js';

type Client = { api: RestClient; contacts: Observable<ContactsState>; readonly me: User | null };

/** How often a group that the feed announced is asked for while the server's read model catches up. */
const READ_ATTEMPTS = 7;
const READ_BACKOFF = { baseMs: 150, maxMs: 3_000 };

/** Group conversations: create, rename, members, leave (docs/groups.md), and reading a group the feed announced. */
export class GroupConversations {
  private reading = new Map<string, Promise<void>>();
  private generation = 0;

  constructor(private readonly client: Client) {}

  /** The group of that id, or null (a direct conversation, or unknown). */
  get(groupId: string): Group | null {
    return this.client.contacts.value.groups.find((group) => group.id === groupId) ?? null;
  }

  /** Creates a group with the user and 2+ of their contacts; it shows in the list once this resolves. */
  async create(title: string, memberIds: string[]): Promise<Group> {
    const { conversation } = await this.client.api.createGroup({ title: title.trim(), memberIds });
    const me = this.client.me;
    const state = this.client.contacts.value;
    const now = new Date().toISOString();
    if (!this.get(conversation.id)) {
      const members = conversation.members.map((member) => {
        const known = member.id === me?.id ? me : knownUser(state, member.id);
        return { ...member, displayName: known?.displayName ?? member.username };
      });
      const group = groupFromServer({
        id: conversation.id,
        kind: 'group',
        title: conversation.title,
        peer: null,
        members,
        membersMayAdd: false,
        joinedAt: now,
        lastMessage: null,
        unreadCount: 0,
        lastActivityAt: now,
        lastReadMessageId: null,
        readMarks: [],
        peerLastReadMessageId: null,
        activeMeeting: null,
      });
      // Until the server's row arrives: its setting is not in the answer.
      this.client.contacts.update((current) =>
        current.groups.some((row) => row.id === group.id)
          ? current
          : { ...current, groups: [{ ...group, partial: true }, ...current.groups] },
      );
    }
    void this.read(conversation.id);
    return this.get(conversation.id)!;
  }

  rename(groupId: string, title: string) {
    return this.client.api.changeGroup(groupId, { title: title.trim() });
  }

  setMembersMayAdd(groupId: string, membersMayAdd: boolean) {
    return this.client.api.changeGroup(groupId, { membersMayAdd });
  }

  addMembers(groupId: string, userIds: string[]) {
    return this.client.api.addMembers(groupId, userIds);
  }

  removeMember(groupId: string, userId: string) {
    return this.client.api.removeMember(groupId, userId);
  }

  /** Leaves the group; it stays in the list, readable, until the page reloads (as Signal keeps it). */
  leave(groupId: string) {
    return this.client.api.leaveGroup(groupId);
  }

  /** After a feed event: reads the groups it announced (joined, or new members to name). */
  received(event: FeedEvent) {
    const me = this.client.me;
    if (!me) return;
    for (const groupId of groupsToRead(this.client.contacts.value.groups, event, me)) void this.read(groupId);
  }

  /**
   * Reads one group from the server. The read model may not have the event that announced it yet (a
   * 404 then): asked again a few times, more slowly each time.
   */
  read(groupId: string): Promise<void> {
    const running = this.reading.get(groupId);
    if (running) return running;
    const generation = this.generation;
    const promise = (async () => {
      for (let attempt = 1; attempt <= READ_ATTEMPTS && generation === this.generation; attempt++) {
        try {
          const { conversation } = await this.client.api.getConversation(groupId);
          if (generation === this.generation)
            this.client.contacts.update((state) => ({ ...state, groups: withServerGroup(state.groups, conversation) }));
          return;
        } catch (error) {
          if (!(error instanceof ApiError && (error.statusCode === 404 || error.isRetryable))) return;
          await new Promise((resolve) => setTimeout(resolve, backoffDelay(attempt, READ_BACKOFF)));
        }
      }
    })().finally(() => this.reading.delete(groupId));
    this.reading.set(groupId, promise);
    return promise;
  }

  /** Forgets reads in flight (sign-out). */
  reset() {
    this.generation++;
    this.reading.clear();
  }
}
