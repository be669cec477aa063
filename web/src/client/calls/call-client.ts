import type { Group } from '../state/groups-state.js';
import type { KeyValueStore } from '../key-value-store.js';
import type { MeetingsState, withMeeting } from '../state/meetings-state.js';
import type { Emitter, Observable } from '../observable.js';
import type { Realtime } from '../transport/realtime.js';
import type { RestClient } from '../transport/rest-client.js';
import type { SessionState } from '../state/session-state.js';
import type { Contact, EphemeralEvent, FeedEvent, IncomingSignal, User } from '../types.js';

/**
 * What calls need of the client (the port `DerbelClient` fills): who is signed in, the meetings, the wire,
 * and the stores that keep a call across a reload. Calls name this, not the client, so neither imports the other.
 */
export interface CallClient {
  readonly me: User | null;
  readonly session: Observable<SessionState>;
  readonly meetings: Observable<MeetingsState>;
  readonly api: Pick<RestClient, 'startMeeting' | 'getMeeting' | 'endMeeting' | 'iceServers'>;
  readonly realtime: Pick<Realtime, 'request' | 'emit'>;
  readonly events: Pick<Emitter<{ feed: FeedEvent; ephemeral: EphemeralEvent; signal: IncomingSignal; online: void }>, 'on'>;
  /** This tab's store (which call to rejoin after a reload) and the device's (chosen camera and microphone). */
  readonly tab: KeyValueStore;
  readonly local: KeyValueStore;
  contact(contactId: string): Pick<Contact, 'activeMeeting'> | null;
  group(groupId: string): Pick<Group, 'activeMeeting'> | null;
  rememberMeeting(meeting: Parameters<typeof withMeeting>[1]): void;
  declineMeeting(meetingId: string): Promise<void>;
}
