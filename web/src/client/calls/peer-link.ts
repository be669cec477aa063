import { Observable } from '../observable.js';
import type { SignalData } from '../types.js';

/** How the connection to one remote participant is doing, as the tile shows it. */
export type PeerLinkState = 'connecting' | 'connected' | 'reconnecting' | 'failed' | 'closed';

export type PeerLinkOptions = {
  /** The polite side yields when both offer at once (perfect negotiation). */
  polite: boolean;
  iceServers: RTCIceServer[];
  /** `relay`: TURN candidates only (the server's ICE_TRANSPORT_POLICY). */
  iceTransportPolicy?: RTCIceTransportPolicy;
  send: (data: SignalData) => void;
  /** Tracks to send from the start, and the stream they belong to. */
  tracks: MediaStreamTrack[];
  stream: MediaStream;
  /** ICE restarts tried before giving up. */
  maxRestarts?: number;
  /** How long a `disconnected` connection may take to recover alone before an ICE restart. */
  disconnectedGraceMs?: number;
  /** How long one ICE restart may take before the next (or giving up). */
  restartDeadlineMs?: number;
  createPeerConnection?: (config: RTCConfiguration) => RTCPeerConnection;
};

/**
 * One RTCPeerConnection to one remote participant, negotiated with the "perfect negotiation"
 * pattern (either side may add tracks or restart ICE at any time; collisions resolve by
 * politeness). A failed connection is restarted (ICE restart) before it is declared failed.
 */
export class PeerLink {
  /** Identifies this connection attempt, so the other side notices when we start over (reload). */
  readonly id = crypto.randomUUID();
  readonly pc: RTCPeerConnection;
  readonly remoteStream = new MediaStream();
  readonly state = new Observable<PeerLinkState>('connecting');
  remoteLinkId: string | null = null;

  private makingOffer = false;
  private ignoreOffer = false;
  private settingRemoteAnswer = false;
  private restarts = 0;
  private disconnectedTimer: ReturnType<typeof setTimeout> | null = null;
  private restartTimer: ReturnType<typeof setTimeout> | null = null;
  private queue: Promise<void> = Promise.resolve();
  private senders = new Map<string, RTCRtpSender>();

  constructor(private readonly options: PeerLinkOptions) {
    const create = options.createPeerConnection ?? ((config) => new RTCPeerConnection(config));
    this.pc = create({ iceServers: options.iceServers, iceTransportPolicy: options.iceTransportPolicy ?? 'all' });
    for (const track of options.tracks) this.senders.set(track.kind, this.pc.addTrack(track, options.stream));

    this.pc.ontrack = ({ track }) => {
      for (const old of this.remoteStream.getTracks()) if (old.kind === track.kind && old !== track) this.remoteStream.removeTrack(old);
      this.remoteStream.addTrack(track);
    };
    this.pc.onicecandidate = ({ candidate }) =>
      this.options.send({ link: this.id, target: this.remoteLinkId, candidate: candidate?.toJSON() ?? null });
    this.pc.onnegotiationneeded = async () => {
      try {
        this.makingOffer = true;
        await this.pc.setLocalDescription();
        // The other side's offer may have rolled ours back meanwhile: then there is nothing to send.
        if (this.pc.signalingState === 'have-local-offer' && this.pc.localDescription?.type === 'offer') {
          this.options.send({ link: this.id, target: this.remoteLinkId, description: this.pc.localDescription.toJSON() });
        }
      } catch (error) {
        console.warn('[derbel] offer failed', error);
      } finally {
        this.makingOffer = false;
      }
    };
    this.pc.onconnectionstatechange = () => this.onConnectionState();
  }

  /** Offers, answers and ICE candidates from the other side, handled one at a time in order. */
  handle(data: SignalData): Promise<void> {
    this.remoteLinkId ??= data.link;
    this.queue = this.queue.then(() => this.handleNow(data)).catch((error) => console.warn('[derbel] signal failed', error));
    return this.queue;
  }

  /** Sends `track` as this link's `kind` (or stops sending it with null), renegotiating only if new. */
  async setTrack(kind: 'audio' | 'video', track: MediaStreamTrack | null) {
    const sender = this.senders.get(kind);
    if (sender) await sender.replaceTrack(track);
    else if (track && this.pc.signalingState !== 'closed') this.senders.set(kind, this.pc.addTrack(track, this.options.stream));
  }

  close() {
    if (this.disconnectedTimer) clearTimeout(this.disconnectedTimer);
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.pc.close();
    this.state.set('closed');
  }

  private async handleNow(data: SignalData) {
    if (this.pc.signalingState === 'closed') return;
    if ('description' in data) {
      const description = data.description;
      const readyForOffer = !this.makingOffer && (this.pc.signalingState === 'stable' || this.settingRemoteAnswer);
      const collision = description.type === 'offer' && !readyForOffer;
      this.ignoreOffer = !this.options.polite && collision;
      if (this.ignoreOffer) return;
      this.settingRemoteAnswer = description.type === 'answer';
      await this.pc.setRemoteDescription(description);
      this.settingRemoteAnswer = false;
      if (description.type === 'offer') {
        await this.pc.setLocalDescription();
        if (this.pc.localDescription)
          this.options.send({ link: this.id, target: this.remoteLinkId, description: this.pc.localDescription.toJSON() });
      }
    } else {
      try {
        await this.pc.addIceCandidate(data.candidate ?? undefined);
      } catch (error) {
        if (!this.ignoreOffer) throw error;
      }
    }
  }

  private onConnectionState() {
    const state = this.pc.connectionState;
    if (this.disconnectedTimer && state !== 'disconnected') {
      clearTimeout(this.disconnectedTimer);
      this.disconnectedTimer = null;
    }
    switch (state) {
      case 'connected':
        this.restarts = 0;
        if (this.restartTimer) clearTimeout(this.restartTimer);
        this.restartTimer = null;
        this.state.set('connected');
        break;
      case 'disconnected':
        this.state.set('reconnecting');
        this.disconnectedTimer ??= setTimeout(() => this.restartIce(), this.options.disconnectedGraceMs ?? 5_000);
        break;
      case 'failed':
        this.restartIce();
        break;
      case 'closed':
        this.state.set('closed');
        break;
      default:
        if (this.state.value !== 'reconnecting') this.state.set('connecting');
    }
  }

  private restartIce() {
    this.disconnectedTimer = null;
    if (this.pc.connectionState === 'connected' || this.pc.signalingState === 'closed') return;
    if (this.restarts >= (this.options.maxRestarts ?? 2)) {
      this.state.set('failed');
      return;
    }
    this.restarts++;
    this.state.set('reconnecting');
    this.pc.restartIce();
    // A restart that never reaches `failed` again still needs a deadline.
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (this.pc.connectionState !== 'connected' && this.pc.signalingState !== 'closed') this.restartIce();
    }, this.options.restartDeadlineMs ?? 15_000);
  }
}
