import type { CallClient } from './call-client.js';
import { Observable } from '../observable.js';
import type { JoinAck, MeetingEndReason, Participant, SignalData } from '../types.js';
import type { LocalMedia } from './local-media.js';
import { PeerLink, type PeerLinkState } from './peer-link.js';

const JOINER_GRACE_MS = 4_000;

/** A remote participant as the call view shows them. */
export type RemotePeer = {
  peerId: string;
  userId: string;
  stream: MediaStream;
  connection: PeerLinkState;
  audio: boolean;
  video: boolean;
  /** What they send is their screen. */
  sharing: boolean;
};

export type CallSessionState = {
  meetingId: string;
  phase: 'joining' | 'in-call' | 'ended';
  selfPeerId: string | null;
  peers: RemotePeer[];
  endReason: MeetingEndReason | 'left' | 'failed' | null;
  error: string | null;
};

/**
 * Being in one meeting: joined over the socket, one PeerLink per other participant, signaling
 * relayed by the server, media state told to the others. Survives socket reconnects by joining
 * again (the server keeps the seat during its grace period).
 */
export class CallSession {
  readonly state: Observable<CallSessionState>;
  private links = new Map<string, { link: PeerLink; userId: string; audio: boolean; video: boolean; sharing: boolean }>();
  /**
   * The last microphone and camera state each person announced. Kept apart from the connections: an
   * announcement can arrive before the connection to someone who just (re)joined exists.
   */
  private mediaOf = new Map<string, { audio: boolean; video: boolean; sharing: boolean }>();
  /**
   * Peer ids whose seat was given up. A peer id is never seated again, so a late signal from one, or the
   * grace timer of someone who joined and left within it, must not open a connection to nobody.
   */
  private gone = new Set<string>();
  private detach: Array<() => void> = [];
  private iceServers: RTCIceServer[] = [];
  private iceTransportPolicy: RTCIceTransportPolicy = 'all';

  constructor(
    private readonly client: CallClient,
    readonly meetingId: string,
    private readonly media: LocalMedia,
  ) {
    this.state = new Observable<CallSessionState>({
      meetingId,
      phase: 'joining',
      selfPeerId: null,
      peers: [],
      endReason: null,
      error: null,
    });
  }

  async join() {
    const me = this.client.me;
    if (!me) throw new Error('Not signed in');
    this.detach.push(
      this.client.events.on('signal', (signal) => {
        if (signal.meetingId === this.meetingId) this.onSignal(signal.from, signal.fromUserId, signal.data);
      }),
      this.client.events.on('feed', (event) => {
        if (!('meetingId' in event.data) || event.data.meetingId !== this.meetingId) return;
        if (event.type === 'ParticipantJoined' && event.data.userId !== me.id) {
          // The one who joins calls the ones already there (they are in its join answer); answering
          // rather than offering at the same time avoids a collision at every start. Only if its
          // offer never comes do we call it ourselves.
          const { peerId, userId } = event.data;
          this.gone.delete(peerId);
          setTimeout(() => this.links.has(peerId) || this.connect(peerId, userId), JOINER_GRACE_MS);
          this.announceMedia();
        }
        if (event.type === 'ParticipantLeft') {
          this.gone.add(event.data.peerId);
          this.drop(event.data.peerId);
        }
        if (event.type === 'MeetingEnded') this.finish(event.data.reason);
      }),
      this.client.events.on('ephemeral', (event) => {
        if (event.type !== 'ParticipantMediaChanged' || event.data.meetingId !== this.meetingId) return;
        const media = { audio: event.data.audio, video: event.data.video, sharing: event.data.sharing ?? false };
        this.mediaOf.set(event.data.userId, media);
        for (const entry of this.links.values()) {
          if (entry.userId === event.data.userId) Object.assign(entry, media);
        }
        this.yieldScreenTo(event.data.peerId, media.sharing);
        this.publish();
      }),
      this.client.events.on('online', () => void this.rejoin()),
      this.media.state.subscribe(() => this.announceMedia()),
    );
    this.media.onTrack = (kind, track) => {
      for (const { link } of this.links.values()) void link.setTrack(kind, track);
    };
    try {
      const ice = await this.client.api.iceServers();
      this.iceServers = ice.iceServers;
      this.iceTransportPolicy = ice.iceTransportPolicy ?? 'all';
    } catch {
      this.iceServers = [];
    }
    await this.rejoin();
  }

  /** Joins (again): after a socket reconnect the server may hand out a new peer id. */
  private async rejoin() {
    if (this.state.value.phase === 'ended') return;
    const me = this.client.me!;
    let ack: JoinAck;
    try {
      ack = await this.client.realtime.request<JoinAck>('meeting:join', { meetingId: this.meetingId });
    } catch {
      return; // not connected (yet): `online` tries again
    }
    if (!ack.ok) {
      this.finish(ack.code === 'MEETING_ENDED' ? 'ended' : 'failed', joinError(ack.code));
      return;
    }
    if (ack.peerId !== this.state.value.selfPeerId) {
      for (const peerId of [...this.links.keys()]) this.drop(peerId);
    }
    this.patch({ phase: 'in-call', selfPeerId: ack.peerId });
    for (const participant of ack.participants) {
      if (participant.userId !== me.id && participant.peerId !== ack.peerId) this.connect(participant.peerId, participant.userId);
    }
    this.announceMedia();
  }

  /** Inbound video statistics per remote peer (frames decoded rising = video flowing). */
  async stats(): Promise<Array<{ peerId: string; framesDecoded: number; bytesReceived: number }>> {
    return Promise.all(
      [...this.links.entries()].map(async ([peerId, { link }]) => {
        let framesDecoded = 0;
        let bytesReceived = 0;
        (await link.pc.getStats()).forEach((report: { type: string; kind?: string; framesDecoded?: number; bytesReceived?: number }) => {
          if (report.type !== 'inbound-rtp' || report.kind !== 'video') return;
          framesDecoded += report.framesDecoded ?? 0;
          bytesReceived += report.bytesReceived ?? 0;
        });
        return { peerId, framesDecoded, bytesReceived };
      }),
    );
  }

  /** Leaves the meeting; the others stay. */
  leave() {
    if (this.state.value.phase !== 'ended') this.client.realtime.emit('meeting:leave', { meetingId: this.meetingId });
    this.finish('left');
  }

  /** Ends the meeting for everyone. */
  async endForAll() {
    await this.client.api.endMeeting(this.meetingId).catch(() => undefined);
    this.finish('ended');
  }

  private connect(peerId: string, userId: string) {
    if (this.links.has(peerId) || this.state.value.phase !== 'in-call' || this.gone.has(peerId)) return this.links.get(peerId);
    // The same person under a new peer id rejoined (e.g. reloaded): their old connection is gone.
    for (const [otherPeerId, entry] of this.links) if (entry.userId === userId) this.drop(otherPeerId);
    const selfPeerId = this.state.value.selfPeerId ?? '';
    const link = new PeerLink({
      polite: selfPeerId < peerId,
      iceServers: this.iceServers,
      iceTransportPolicy: this.iceTransportPolicy,
      tracks: this.media.tracks,
      stream: this.media.stream,
      send: (data) => this.client.realtime.emit('signal', { meetingId: this.meetingId, to: peerId, data }),
    });
    const entry = { link, userId, audio: true, video: true, sharing: false, ...this.mediaOf.get(userId) };
    this.links.set(peerId, entry);
    link.state.subscribe(() => this.publish());
    link.remoteStream.addEventListener('addtrack', () => this.publish());
    this.publish();
    return entry;
  }

  private onSignal(from: string, fromUserId: string, data: SignalData) {
    if (this.state.value.phase !== 'in-call') return;
    let entry = this.links.get(from);
    // Meant for a connection of ours that no longer exists (e.g. before our reload): stale.
    if (data.target && data.target !== entry?.link.id) return;
    if (entry?.link.remoteLinkId && entry.link.remoteLinkId !== data.link) {
      // The other side started a new connection (it reloaded and kept its seat): start over too.
      // Anything else from an older connection of theirs is stale.
      if (!('description' in data) || data.description.type !== 'offer') return;
      this.drop(from);
      entry = undefined;
    }
    entry ??= this.connect(from, fromUserId);
    void entry?.link.handle(data);
  }

  private drop(peerId: string) {
    const entry = this.links.get(peerId);
    if (!entry) return;
    entry.link.close();
    this.links.delete(peerId);
    this.publish();
  }

  private announceMedia() {
    if (this.state.value.phase !== 'in-call') return;
    // A share started after hearing of another's (past the button, or as that news arrived) settles by the
    // same rule as two at once; stopping announces itself through the media state.
    if (this.media.state.value.sharing) for (const [peerId, entry] of this.links) if (entry.sharing) this.yieldScreenTo(peerId, true);
    const { audio, video, sharing } = this.media.state.value;
    this.client.realtime.emit('meeting:media', { meetingId: this.meetingId, audio, video: video || sharing, sharing });
  }

  /** Who else shares their screen now (one at a time: the share button waits until they stop). */
  sharingPeer(): RemotePeer | null {
    return this.state.value.peers.find((peer) => peer.sharing) ?? null;
  }

  /**
   * One screen at a time: when two start sharing at once, each hears of the other's, and the one whose peer id
   * sorts higher stops, so exactly one share remains without a round trip to settle it.
   */
  private yieldScreenTo(peerId: string | undefined, sharing: boolean) {
    const self = this.state.value.selfPeerId;
    if (!sharing || !this.media.state.value.sharing || !self) return;
    if (peerId === undefined || self > peerId) this.media.stopSharing();
  }

  private finish(reason: CallSessionState['endReason'], error: string | null = null) {
    if (this.state.value.phase === 'ended') return;
    for (const undo of this.detach.splice(0)) undo();
    this.media.onTrack = () => {};
    for (const peerId of [...this.links.keys()]) this.drop(peerId);
    this.patch({ phase: 'ended', endReason: reason, error, peers: [] });
  }

  private publish() {
    const peers: RemotePeer[] = [...this.links.entries()].map(([peerId, entry]) => ({
      peerId,
      userId: entry.userId,
      stream: entry.link.remoteStream,
      connection: entry.link.state.value,
      audio: entry.audio,
      video: entry.video,
      sharing: entry.sharing,
    }));
    const failed = peers.length > 0 && peers.every((peer) => peer.connection === 'failed');
    this.patch({
      peers,
      error: failed ? 'The connection to the other side failed. Check your network and try again.' : this.state.value.error,
    });
  }

  private patch(change: Partial<CallSessionState>) {
    this.state.set({ ...this.state.value, ...change });
  }
}

export const joinError = (code: string) =>
  ({
    MEETING_NOT_FOUND: 'This call no longer exists.',
    MEETING_ENDED: 'This call has ended.',
    NOT_INVITED: 'You are not invited to this call.',
    MEETING_FULL: 'This call is full: at most 6 people can be in a call at once.',
  })[code] ?? `Could not join the call (${code}).`;

export type { Participant };
