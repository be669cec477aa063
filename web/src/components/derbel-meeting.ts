import { LitElement, css, html, nothing } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { CallView } from '../client/calls/call-controller.js';
import { callTitle, isGroupConversation, participantName } from '../client/calls/call-names.js';
import type { DerbelClient } from '../client/derbel-client.js';
import { ClientController } from './internal/client-controller.js';
import { define } from './internal/define.js';
import { emit, type DerbelEvent } from './internal/events.js';
import './derbel-device-picker.js';
import './derbel-meeting-controls.js';
import './derbel-video-tile.js';
import { buttons, forms, tokens } from './internal/styles.js';

/**
 * The call view: the lobby (own preview, camera and microphone choice, then call or join), the
 * call (remote and own tiles, controls), or why it ended. Follows `client.call`.
 *
 * @event derbel-meeting-closed - The view went back to nothing (left, or closed after the end).
 * @csspart stage - The grid of video tiles.
 * @csspart controls - The toolbar.
 * @cssproperty --derbel-meeting-background - Background of the call view.
 */
export class DerbelMeeting extends LitElement {
  static properties = {
    server: { type: String },
    client: { attribute: false },
    devicesOpen: { state: true },
  };

  declare server: string | null;
  declare client: DerbelClient | null;
  declare devicesOpen: boolean;

  private watched: Array<() => void> = [];
  private readonly controller = new ClientController(this, (client) => [client.call.view, client.contacts, client.call.speaking.speaking]);

  constructor() {
    super();
    this.server = null;
    this.client = null;
    this.devicesOpen = false;
  }

  disconnectedCallback() {
    super.disconnectedCallback();
    for (const undo of this.watched.splice(0)) undo();
  }

  private view(): CallView {
    return this.controller.client?.call.view.value ?? { phase: 'idle' };
  }

  /** Re-renders on media and session changes too; those objects change with the view. */
  protected willUpdate() {
    for (const undo of this.watched.splice(0)) undo();
    const call = this.controller.client?.call;
    const view = this.view();
    if (call?.media) this.watched.push(call.media.state.subscribe(() => this.requestUpdate()));
    if (view.phase === 'call') this.watched.push(view.session.state.subscribe(() => this.requestUpdate()));
  }

  render() {
    const view = this.view();
    const client = this.controller.client;
    if (!client || view.phase === 'idle') return nothing;
    const name = callTitle(client, view.contactId);
    const group = isGroupConversation(client, view.contactId);
    if (view.phase === 'ended') {
      // The call is over and Close is all there is to do: focus goes there, as in a dialog.
      /* eslint-disable lit-a11y/no-autofocus */
      return html`<section class="ended" aria-labelledby="ended-title" data-testid="call-ended">
        <h2 id="ended-title">${group ? `Call in ${name}` : `Call with ${name}`}</h2>
        <p role="status">${view.message}</p>
        <button class="button primary" type="button" @click=${this.close} autofocus>Close</button>
      </section>`;
      /* eslint-enable lit-a11y/no-autofocus */
    }
    const media = client.call.media;
    const mediaState = media?.state.value;
    const speaking = client.call.speaking.speaking.value;
    const self = html`<derbel-video-tile
      self
      .stream=${media?.stream ?? null}
      name="You"
      .audio=${mediaState?.audio ?? false}
      .video=${Boolean(mediaState?.video || mediaState?.sharing)}
      ?speaking=${Boolean(speaking.self && mediaState?.audio)}
    ></derbel-video-tile>`;
    const devices = html`<derbel-device-picker
      .devices=${mediaState?.devices ?? []}
      audio-device-id=${mediaState?.audioDeviceId ?? ''}
      video-device-id=${mediaState?.videoDeviceId ?? ''}
      @derbel-device-change=${(event: DerbelEvent<'derbel-device-change'>) =>
        void media?.selectDevice(event.detail.kind, event.detail.deviceId)}
    ></derbel-device-picker>`;

    if (view.phase === 'lobby') {
      return html`<section class="lobby" aria-labelledby="lobby-title" data-testid="call-lobby">
        <h2 id="lobby-title">${view.meetingId ? `Join the call ${group ? 'in' : 'with'} ${name}` : `Call ${name}`}</h2>
        <div class="preview">${self}</div>
        <div class="side">
          ${devices}
          ${mediaState?.error ? html`<p class="error" role="alert">${mediaState.error}</p>` : nothing}
          <div class="lobby-actions">
            <button class="button" type="button" @click=${() => media?.toggleAudio()} aria-pressed=${String(!mediaState?.audio)}>
              ${mediaState?.audio ? 'Mute' : 'Unmute'}
            </button>
            <button class="button" type="button" @click=${() => void media?.toggleVideo()} aria-pressed=${String(!mediaState?.video)}>
              ${mediaState?.video ? 'Camera off' : 'Camera on'}
            </button>
          </div>
          <div class="lobby-actions">
            <button class="button" type="button" @click=${this.close}>Cancel</button>
            <button class="button primary" type="button" @click=${() => void client.call.callFromLobby()} data-testid="start-call">
              ${view.meetingId ? 'Join now' : `Call ${name}`}
            </button>
          </div>
        </div>
      </section>`;
    }

    const state = view.session.state.value;
    const meeting = client.meetings.value.meetings[view.meetingId];
    const waiting = state.peers.length === 0;
    const status =
      state.phase === 'joining'
        ? 'Joining…'
        : waiting && meeting?.state === 'ringing'
          ? `Calling ${name}…`
          : waiting
            ? `Waiting for ${group ? 'others' : name}…`
            : '';
    // One other: their video fills the stage with yours in a corner. More: everyone in a grid (2, 2×2, 3×2).
    const tiles = state.peers.length + 1;
    const layout = state.peers.length <= 1 ? 'pair' : `grid grid-${tiles <= 4 ? '2x2' : '3x2'}`;
    const sharer = view.session.sharingPeer();
    const sharerName = sharer ? participantName(client, view.contactId, sharer.userId) : null;
    return html`<section
      class="call"
      aria-label=${group ? `Call in ${name}` : `Call with ${name}`}
      data-testid="call-view"
      data-meeting-id=${view.meetingId}
      data-participants=${tiles}
    >
      <p class="status" role="status" data-testid="call-status">${status}</p>
      ${state.error ? html`<p class="error" role="alert" data-testid="call-error">${state.error}</p>` : nothing}
      <div part="stage" class="stage ${waiting ? 'alone' : layout}" data-testid="call-stage">
        ${repeat(
          state.peers,
          (remote) => remote.peerId,
          (remote) => html`<derbel-video-tile
            .stream=${remote.stream}
            name=${participantName(client, view.contactId, remote.userId)}
            .audio=${remote.audio}
            .video=${remote.video}
            ?sharing=${remote.sharing}
            connection=${remote.connection}
            ?speaking=${Boolean(speaking[remote.peerId] && remote.audio)}
            data-user-id=${remote.userId}
            data-peer-id=${remote.peerId}
          ></derbel-video-tile>`,
        )}
        <div class="self">${self}</div>
      </div>
      ${this.devicesOpen ? html`<div class="devices">${devices}</div>` : nothing}
      ${mediaState?.error ? html`<p class="error" role="alert">${mediaState.error}</p>` : nothing}
      <derbel-meeting-controls
        part="controls"
        .media=${mediaState ?? null}
        share-blocked-by=${sharerName ?? ''}
        ?devices-open=${this.devicesOpen}
        @derbel-toggle-audio=${() => media?.toggleAudio()}
        @derbel-toggle-video=${() => void media?.toggleVideo()}
        @derbel-toggle-screen=${() => (mediaState?.sharing ? media?.stopSharing() : void media?.shareScreen())}
        @derbel-toggle-devices=${() => (this.devicesOpen = !this.devicesOpen)}
        @derbel-leave=${() => this.closeAfter(client.call.leave())}
        @derbel-end=${() => this.closeAfter(client.call.endForAll())}
      ></derbel-meeting-controls>
    </section>`;
  }

  private close() {
    this.controller.client?.call.dismiss();
    emit(this, 'derbel-meeting-closed');
  }

  private async closeAfter(action: unknown) {
    await action;
    emit(this, 'derbel-meeting-closed');
  }

  static styles = [
    tokens,
    buttons,
    forms,
    css`
      :host {
        display: block;
        color: #fff;
        background: var(--derbel-meeting-background, #111118);
        border-radius: var(--_radius);
        padding: 1rem;
      }
      h2 {
        margin: 0 0 0.8rem;
        font-size: 1.15rem;
      }
      .button:not(.primary):not(.danger) {
        background: #2a2a36;
        border-color: #3a3a48;
        color: #fff;
      }
      .lobby {
        display: grid;
        grid-template-columns: minmax(0, 2fr) minmax(12rem, 1fr);
        grid-template-rows: auto 1fr;
        gap: 1rem;
      }
      .lobby h2 {
        grid-column: 1 / -1;
      }
      .side {
        display: grid;
        gap: 0.8rem;
        align-content: start;
      }
      .lobby-actions {
        display: flex;
        gap: 0.5rem;
        flex-wrap: wrap;
      }
      .call {
        display: grid;
        gap: 0.8rem;
      }
      .status {
        margin: 0;
        min-height: 1.3rem;
        text-align: center;
      }
      .stage {
        position: relative;
        display: grid;
        grid-template-columns: repeat(auto-fit, minmax(min(100%, 18rem), 1fr));
        gap: 0.6rem;
      }
      .stage .self {
        position: absolute;
        right: 0.6rem;
        bottom: 0.6rem;
        width: min(30%, 14rem);
        z-index: 1;
      }
      .stage.alone .self {
        position: static;
        width: 100%;
      }
      .stage.grid {
        grid-template-columns: repeat(2, minmax(0, 1fr));
      }
      .stage.grid-3x2 {
        grid-template-columns: repeat(3, minmax(0, 1fr));
      }
      .stage.grid .self {
        position: static;
        width: auto;
      }
      @media (max-width: 40rem) {
        .stage.grid,
        .stage.grid-3x2 {
          grid-template-columns: repeat(2, minmax(0, 1fr));
        }
      }
      .devices {
        max-width: 28rem;
        margin: 0 auto;
        width: 100%;
      }
      .error {
        color: #ff8a80;
        margin: 0;
        text-align: center;
      }
      .ended {
        text-align: center;
      }
      @media (max-width: 40rem) {
        :host {
          padding: 0.6rem;
        }
        .lobby {
          grid-template-columns: 1fr;
        }
      }
    `,
  ];
}

define('derbel-meeting', DerbelMeeting);

declare global {
  interface HTMLElementTagNameMap {
    'derbel-meeting': DerbelMeeting;
  }
}
