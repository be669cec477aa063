import { LitElement, css, html, nothing } from 'lit';
import type { LocalMediaState } from '../client/calls/local-media.js';
import { define } from './internal/define.js';
import { emit } from './internal/events.js';
import { microphoneIcon, microphoneOffIcon } from './internal/icons.js';
import { buttons, tokens } from './internal/styles.js';

/**
 * The call's toolbar: microphone, camera, screen sharing, devices, leave, end for everyone.
 *
 * @event derbel-toggle-audio - Microphone on/off.
 * @event derbel-toggle-video - Camera on/off.
 * @event derbel-toggle-screen - Start or stop sharing the screen.
 * @event derbel-toggle-devices - Show or hide the device choice.
 * @event derbel-leave - Leave the call.
 * @event derbel-end - End the call for everyone.
 * @csspart toolbar - The toolbar.
 * @cssproperty --derbel-danger - Colour of "End for all" and of a control that is off.
 * @cssproperty --derbel-accent - Colour of a control that is on (screen sharing).
 */
export class DerbelMeetingControls extends LitElement {
  static properties = {
    media: { attribute: false },
    devicesOpen: { type: Boolean, attribute: 'devices-open' },
    shareBlockedBy: { type: String, attribute: 'share-blocked-by' },
  };

  declare media: LocalMediaState | null;
  declare devicesOpen: boolean;
  /** Someone else shares their screen (their name): one screen at a time, so sharing waits. */
  declare shareBlockedBy: string;

  constructor() {
    super();
    this.media = null;
    this.devicesOpen = false;
    this.shareBlockedBy = '';
  }

  render() {
    const media = this.media;
    if (!media) return nothing;
    const canShare = typeof navigator !== 'undefined' && Boolean(navigator.mediaDevices?.getDisplayMedia);
    return html`<div part="toolbar" class="toolbar" role="group" aria-label="Call controls">
      <button class="button ${media.audio ? '' : 'off'}" type="button" aria-pressed=${String(!media.audio)} @click=${() => this.fire('derbel-toggle-audio')} data-testid="toggle-audio">
        ${media.audio ? microphoneIcon : microphoneOffIcon} ${media.audio ? 'Mute' : 'Unmute'}
      </button>
      <button class="button ${media.video ? '' : 'off'}" type="button" aria-pressed=${String(!media.video)} @click=${() => this.fire('derbel-toggle-video')} data-testid="toggle-video">
        ${media.video ? 'Camera off' : 'Camera on'}
      </button>
      ${
        canShare
          ? html`<button class="button ${media.sharing ? 'on' : ''}" type="button" aria-pressed=${String(media.sharing)} ?disabled=${!media.sharing && Boolean(this.shareBlockedBy)} title=${!media.sharing && this.shareBlockedBy ? `${this.shareBlockedBy} is sharing their screen` : ''} @click=${() => this.fire('derbel-toggle-screen')} data-testid="toggle-screen">
            ${media.sharing ? 'Stop sharing' : 'Share screen'}
          </button>`
          : nothing
      }
      <button class="button" type="button" aria-expanded=${String(this.devicesOpen)} @click=${() => this.fire('derbel-toggle-devices')} data-testid="toggle-devices">
        Devices
      </button>
      <button class="button" type="button" @click=${() => this.fire('derbel-leave')} data-testid="leave-call">Leave</button>
      <button class="button danger" type="button" @click=${() => this.fire('derbel-end')} data-testid="end-call">End for all</button>
    </div>`;
  }

  private fire(
    type: 'derbel-toggle-audio' | 'derbel-toggle-video' | 'derbel-toggle-screen' | 'derbel-toggle-devices' | 'derbel-leave' | 'derbel-end',
  ) {
    emit(this, type);
  }

  static styles = [
    tokens,
    buttons,
    css`
      .toolbar {
        display: flex;
        flex-wrap: wrap;
        justify-content: center;
        gap: 0.5rem;
      }
      .button.off {
        background: var(--_danger);
        border-color: var(--_danger);
        color: var(--_on-danger);
      }
      .button.on {
        background: var(--_accent);
        border-color: var(--_accent);
        color: var(--_accent-text);
      }
    `,
  ];
}

define('derbel-meeting-controls', DerbelMeetingControls);

declare global {
  interface HTMLElementTagNameMap {
    'derbel-meeting-controls': DerbelMeetingControls;
  }
}
