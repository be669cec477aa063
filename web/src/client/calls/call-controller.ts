import { ApiError } from '../transport/api-error.js';
import type { CallClient } from './call-client.js';
import { Observable } from '../observable.js';
import { CallSession } from './call-session.js';
import { LocalMedia } from './local-media.js';
import { SpeakingDetector } from './speaking.js';

/**
 * What the call view shows: nothing; the lobby (own preview and device choice before calling or
 * joining); the call itself; or why it ended.
 */
export type CallView =
  | { phase: 'idle' }
  | { phase: 'lobby'; contactId: string; meetingId: string | null }
  | { phase: 'call'; contactId: string; meetingId: string; session: CallSession }
  | { phase: 'ended'; contactId: string; message: string };

const REJOIN_KEY = 'derbel.call';

/** Starts, accepts, declines, leaves and rejoins calls; owns the local media while in one. */
export class CallController {
  readonly view = new Observable<CallView>({ phase: 'idle' });
  readonly speaking = new SpeakingDetector();
  media: LocalMedia | null = null;
  private busy = false;

  constructor(private readonly client: CallClient) {
    client.session.subscribe((session) => {
      if (session.status !== 'signed-in') this.reset();
    });
  }

  /** Shows the preview before calling a contact or a group (or joining its meeting in progress). */
  async openLobby(contactId: string) {
    if (this.view.value.phase === 'call') return;
    const meetingId = (this.client.contact(contactId) ?? this.client.group(contactId))?.activeMeeting?.id ?? null;
    this.view.set({ phase: 'lobby', contactId, meetingId });
    await this.ensureMedia().start();
    this.speaking.watch('self', this.media!.stream);
  }

  /** From the lobby: start the meeting (or join the one already running) and enter it. */
  async callFromLobby() {
    const view = this.view.value;
    if (view.phase !== 'lobby' || this.busy) return;
    this.busy = true;
    try {
      let meetingId = view.meetingId;
      if (!meetingId) {
        try {
          const { meeting } = await this.client.api.startMeeting(view.contactId);
          this.client.rememberMeeting(meeting);
          meetingId = meeting.id;
        } catch (error) {
          if (!(error instanceof ApiError && error.code === 'MEETING_IN_PROGRESS')) throw error;
          meetingId = String(error.body.meetingId);
        }
      }
      await this.enter(view.contactId, meetingId);
    } catch (error) {
      this.view.set({ phase: 'ended', contactId: view.contactId, message: messageOf(error) });
      this.stopMedia();
    } finally {
      this.busy = false;
    }
  }

  /** Answers an incoming call: straight in, with the last chosen devices. */
  async accept(meetingId: string) {
    const meeting = this.client.meetings.value.meetings[meetingId];
    const contactId = meeting?.contactId ?? '';
    if (this.view.value.phase === 'call') this.leave();
    await this.ensureMedia().start();
    await this.enter(contactId, meetingId);
  }

  decline(meetingId: string) {
    return this.client.declineMeeting(meetingId);
  }

  leave() {
    const view = this.view.value;
    if (view.phase === 'call') view.session.leave();
    this.close();
  }

  async endForAll() {
    const view = this.view.value;
    if (view.phase === 'call') await view.session.endForAll();
    this.close();
  }

  /** Closes the lobby or the "call ended" notice. */
  dismiss() {
    if (this.view.value.phase === 'call') return;
    this.stopMedia();
    this.view.set({ phase: 'idle' });
  }

  /** The contact was removed or blocked: its lobby closes, its call ends. */
  contactGone(contactId: string) {
    const view = this.view.value;
    if (view.phase === 'idle' || view.contactId !== contactId) return;
    if (view.phase === 'call') {
      view.session.leave();
      this.client.tab.removeItem(REJOIN_KEY);
      this.stopMedia();
      this.view.set({ phase: 'ended', contactId, message: endMessage('ended') });
    } else this.dismiss();
  }

  /** After a reload: if this tab was in a call that is still going, join it again. */
  async rejoinAfterReload() {
    const meetingId = this.client.tab.getItem(REJOIN_KEY);
    if (!meetingId || this.view.value.phase === 'call') return;
    const meeting = this.client.meetings.value.meetings[meetingId] ?? (await this.client.api.getMeeting(meetingId).catch(() => null));
    if (!meeting) {
      this.client.tab.removeItem(REJOIN_KEY);
      return;
    }
    await this.ensureMedia().start();
    await this.enter(meeting.contactId, meetingId);
  }

  private async enter(contactId: string, meetingId: string) {
    const session = new CallSession(this.client, meetingId, this.media!);
    this.client.tab.setItem(REJOIN_KEY, meetingId);
    this.view.set({ phase: 'call', contactId, meetingId, session });
    this.speaking.watch('self', this.media!.stream);
    session.state.subscribe((state) => {
      for (const peer of state.peers) this.speaking.watch(peer.peerId, peer.stream);
      if (state.phase === 'ended' && this.view.value.phase === 'call' && this.view.value.session === session) {
        this.client.tab.removeItem(REJOIN_KEY);
        this.stopMedia();
        this.view.set(
          state.endReason === 'left'
            ? { phase: 'idle' }
            : { phase: 'ended', contactId, message: state.error ?? endMessage(state.endReason) },
        );
      }
    });
    await session.join();
  }

  private close() {
    this.client.tab.removeItem(REJOIN_KEY);
    this.stopMedia();
    this.view.set({ phase: 'idle' });
  }

  private ensureMedia() {
    this.media ??= new LocalMedia(this.client.local);
    return this.media;
  }

  private stopMedia() {
    this.speaking.stop();
    this.media?.stop();
    this.media = null;
  }

  private reset() {
    const view = this.view.value;
    if (view.phase === 'call') view.session.leave();
    this.stopMedia();
    if (view.phase !== 'idle') this.view.set({ phase: 'idle' });
  }
}

const endMessage = (reason: string | null) =>
  ({
    ended: 'The call has ended.',
    empty: 'Everyone left the call.',
    missed: 'No answer.',
    declined: 'The call was declined.',
    failed: 'The call could not be joined.',
  })[reason ?? ''] ?? 'The call has ended.';

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
