import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SignalData } from '../../../web/src/client/types.js';

/** Just enough of RTCPeerConnection to follow the signaling states perfect negotiation relies on. */
class FakePeerConnection {
  signalingState: RTCSignalingState = 'stable';
  connectionState: RTCPeerConnectionState = 'new';
  localDescription: { type: string; sdp: string; toJSON(): object } | null = null;
  onnegotiationneeded: (() => void) | null = null;
  onicecandidate: ((event: { candidate: null }) => void) | null = null;
  ontrack: ((event: { track: unknown }) => void) | null = null;
  onconnectionstatechange: (() => void) | null = null;
  log: string[] = [];
  senders: Array<{ track: unknown; replaceTrack: (track: unknown) => Promise<void> }> = [];

  addTrack(track: unknown) {
    const sender = { track, replaceTrack: async (next: unknown) => void (sender.track = next) };
    this.senders.push(sender);
    this.log.push('addTrack');
    return sender;
  }
  async setLocalDescription() {
    const type = this.signalingState === 'have-remote-offer' ? 'answer' : 'offer';
    this.signalingState = type === 'offer' ? 'have-local-offer' : 'stable';
    this.localDescription = { type, sdp: `${type}-sdp`, toJSON: () => ({ type, sdp: `${type}-sdp` }) };
    this.log.push(`local ${type}`);
  }
  async setRemoteDescription(description: RTCSessionDescriptionInit) {
    // An offer in have-local-offer rolls back our own offer first (implicit rollback).
    this.signalingState = description.type === 'offer' ? 'have-remote-offer' : 'stable';
    this.log.push(`remote ${description.type}`);
  }
  async addIceCandidate() {
    this.log.push('candidate');
  }
  restartIce() {
    this.log.push('restartIce');
  }
  getTransceivers() {
    return [];
  }
  close() {
    this.signalingState = 'closed';
  }
  setConnection(state: RTCPeerConnectionState) {
    this.connectionState = state;
    this.onconnectionstatechange?.();
  }
}

let PeerLink: typeof import('../../../web/src/client/calls/peer-link.js').PeerLink;

beforeAll(async () => {
  (globalThis as { MediaStream?: unknown }).MediaStream ??= class {
    private tracks: unknown[] = [];
    getTracks = () => this.tracks;
    addTrack = (track: unknown) => void this.tracks.push(track);
    removeTrack = (track: unknown) => void (this.tracks = this.tracks.filter((t) => t !== track));
    addEventListener() {}
  };
  ({ PeerLink } = await import('../../../web/src/client/calls/peer-link.js'));
});
afterEach(() => vi.useRealTimers());

function link(polite: boolean, options: { maxRestarts?: number } = {}) {
  const sent: SignalData[] = [];
  let pc!: FakePeerConnection;
  const peer = new PeerLink({
    polite,
    iceServers: [],
    tracks: [{ kind: 'video' } as MediaStreamTrack],
    stream: new MediaStream(),
    send: (data) => sent.push(data),
    disconnectedGraceMs: 1_000,
    restartDeadlineMs: 60_000,
    createPeerConnection: () => (pc = new FakePeerConnection()) as unknown as RTCPeerConnection,
    ...options,
  });
  return { peer, pc: () => pc, sent };
}

const offer = (link: string): SignalData => ({ link, description: { type: 'offer', sdp: 'remote-offer' } });

describe('PeerLink (perfect negotiation)', () => {
  it('offers when negotiation is needed and names its connection in every signal', async () => {
    const { peer, pc, sent } = link(false);
    await pc().onnegotiationneeded?.();
    expect(sent).toEqual([{ link: peer.id, target: null, description: { type: 'offer', sdp: 'offer-sdp' } }]);
  });

  it('when both offer at once, the impolite side ignores the other offer', async () => {
    const impolite = link(false);
    await impolite.pc().onnegotiationneeded?.();
    await impolite.peer.handle(offer('remote'));
    await impolite.peer.handle({ link: 'remote', candidate: { candidate: 'c' } });
    expect(impolite.pc().log).toEqual(['addTrack', 'local offer', 'candidate']);
    expect(impolite.sent).toHaveLength(1);
  });

  it('when both offer at once, the polite side takes the other offer and answers it', async () => {
    const polite = link(true);
    await polite.pc().onnegotiationneeded?.();
    await polite.peer.handle(offer('remote'));
    expect(polite.pc().log).toEqual(['addTrack', 'local offer', 'remote offer', 'local answer']);
    expect(polite.sent.at(-1)).toEqual({ link: polite.peer.id, target: 'remote', description: { type: 'answer', sdp: 'answer-sdp' } });
    expect(polite.peer.remoteLinkId).toBe('remote');
  });

  it('restarts ICE when the connection fails, and gives up after the allowed restarts', async () => {
    const { peer, pc } = link(true, { maxRestarts: 2 });
    pc().setConnection('connected');
    expect(peer.state.value).toBe('connected');
    pc().setConnection('failed');
    expect(peer.state.value).toBe('reconnecting');
    pc().setConnection('failed');
    pc().setConnection('failed');
    expect(pc().log.filter((entry) => entry === 'restartIce')).toHaveLength(2);
    expect(peer.state.value).toBe('failed');
  });

  it('gives a disconnected connection a moment to recover before restarting ICE', async () => {
    vi.useFakeTimers();
    const recovering = link(true);
    recovering.pc().setConnection('disconnected');
    expect(recovering.peer.state.value).toBe('reconnecting');
    recovering.pc().setConnection('connected');
    vi.advanceTimersByTime(2_000);
    expect(recovering.pc().log).not.toContain('restartIce');

    const stuck = link(true);
    stuck.pc().setConnection('disconnected');
    vi.advanceTimersByTime(1_000);
    expect(stuck.pc().log).toContain('restartIce');
  });

  it('swaps a track without renegotiating, and adds one it never sent', async () => {
    const { peer, pc } = link(true);
    await peer.setTrack('video', { kind: 'video', id: 'screen' } as unknown as MediaStreamTrack);
    expect(pc().senders[0].track).toEqual({ kind: 'video', id: 'screen' });
    await peer.setTrack('audio', { kind: 'audio' } as MediaStreamTrack);
    expect(pc().log.filter((entry) => entry === 'addTrack')).toHaveLength(2);
  });
});
