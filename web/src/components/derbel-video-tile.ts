import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import type { PeerLinkState } from '../client/calls/peer-link.js';
import { define } from './internal/define.js';
import { microphoneOffIcon } from './internal/icons.js';
import { tokens } from './internal/styles.js';

/**
 * One participant's video with their name, microphone state, connection state and a ring while
 * they speak. Shows their initial instead when their camera is off.
 *
 * @csspart tile - The tile.
 * @csspart video - The video element.
 * @csspart label - The name bar.
 * @cssproperty --derbel-tile-background - Background behind the video.
 * @cssproperty --derbel-speaking - Colour of the speaking ring.
 */
export class DerbelVideoTile extends LitElement {
  static properties = {
    stream: { attribute: false },
    name: { type: String },
    self: { type: Boolean, reflect: true },
    audio: { type: Boolean },
    video: { type: Boolean },
    speaking: { type: Boolean, reflect: true },
    sharing: { type: Boolean, reflect: true },
    connection: { type: String },
  };

  declare stream: MediaStream | null;
  declare name: string;
  /** The user's own preview: mirrored and silent. */
  declare self: boolean;
  /** The microphone is on (off shows the muted marker). */
  declare audio: boolean;
  /** The camera (or a shared screen) is on. */
  declare video: boolean;
  declare speaking: boolean;
  /** What shows is their screen: shown whole (not cropped), with a label. */
  declare sharing: boolean;
  declare connection: PeerLinkState | '';

  constructor() {
    super();
    this.stream = null;
    this.name = '';
    this.self = false;
    this.audio = true;
    this.video = true;
    this.speaking = false;
    this.sharing = false;
    this.connection = '';
  }

  render() {
    const status =
      this.connection === 'connecting'
        ? 'Connecting…'
        : this.connection === 'reconnecting'
          ? 'Reconnecting…'
          : this.connection === 'failed'
            ? 'Connection failed'
            : '';
    return html`<figure
      part="tile"
      class="tile"
      data-testid="video-tile"
      data-self=${String(this.self)}
      data-connection=${this.connection}
      aria-label=${`${this.name}${this.sharing ? ', sharing their screen' : ''}${this.audio ? '' : ', microphone off'}${this.video ? '' : ', camera off'}${status ? `, ${status}` : ''}`}
    >
      <video part="video" autoplay playsinline .muted=${this.self} ?hidden=${!this.video}></video>
      ${this.video ? nothing : html`<div class="initial" aria-hidden="true">${this.name.trim()[0]?.toUpperCase() ?? '?'}</div>`}
      <figcaption part="label">
        <span class="name">${this.name}</span>
        ${this.sharing ? html`<span class="sharing" data-testid="sharing-marker">Sharing screen</span>` : nothing}
        ${this.audio ? nothing : html`<span class="muted" data-testid="muted-marker" title="Microphone off">${microphoneOffIcon}<span class="visually-hidden">Microphone off</span></span>`}
        ${status ? html`<span class="status" data-testid="tile-status">${status}</span>` : nothing}
      </figcaption>
    </figure>`;
  }

  protected updated(changed: PropertyValues<this>) {
    const video = this.renderRoot.querySelector('video');
    if (video && (changed.has('stream') || video.srcObject !== this.stream)) {
      video.srcObject = this.stream;
      if (this.stream) void video.play().catch(() => undefined);
    }
  }

  /** The `<video>` element, e.g. to read `videoWidth` in a test. */
  get videoElement(): HTMLVideoElement | null {
    return this.renderRoot.querySelector('video');
  }

  static styles = [
    tokens,
    css`
      :host {
        display: block;
        position: relative;
        min-width: 0;
      }
      .tile {
        position: relative;
        margin: 0;
        width: 100%;
        height: 100%;
        aspect-ratio: 16 / 9;
        border-radius: var(--_radius);
        overflow: hidden;
        background: var(--derbel-tile-background, #1d1d26);
        outline: 3px solid transparent;
        transition: outline-color 0.15s;
      }
      :host([speaking]) .tile {
        outline-color: var(--derbel-speaking, #2fd46b);
      }
      video {
        width: 100%;
        height: 100%;
        object-fit: cover;
        display: block;
      }
      video[hidden] {
        display: none;
      }
      :host([self]) video {
        transform: scaleX(-1);
      }
      :host([sharing]) video {
        object-fit: contain;
        transform: none;
      }
      .sharing {
        color: #9ecbff;
      }
      .initial {
        position: absolute;
        inset: 0;
        display: grid;
        place-items: center;
        font-size: 2.5rem;
        font-weight: 700;
        color: #fff;
      }
      figcaption {
        position: absolute;
        left: 0.4rem;
        bottom: 0.4rem;
        display: flex;
        gap: 0.4rem;
        align-items: center;
        max-width: calc(100% - 0.8rem);
        padding: 0.15rem 0.5rem;
        border-radius: 999px;
        background: rgb(0 0 0 / 0.6);
        color: #fff;
        font-size: 0.85rem;
      }
      .name {
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .status {
        color: #ffd479;
      }
      .muted {
        display: inline-flex;
        color: #ff8a80;
      }
    `,
  ];
}

define('derbel-video-tile', DerbelVideoTile);

declare global {
  interface HTMLElementTagNameMap {
    'derbel-video-tile': DerbelVideoTile;
  }
}
