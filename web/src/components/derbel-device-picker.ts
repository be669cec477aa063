import { LitElement, css, html } from 'lit';
import type { LocalMediaState } from '../client/calls/local-media.js';
import { define } from './internal/define.js';
import { emit } from './internal/events.js';
import { buttons, forms, tokens } from './internal/styles.js';

/**
 * Chooses the camera and the microphone.
 *
 * @event derbel-device-change - A device was chosen. `detail: { kind: 'audioinput' | 'videoinput', deviceId }`.
 * @csspart select - Each select.
 * @cssproperty --derbel-border - Border of the selects.
 */
export class DerbelDevicePicker extends LitElement {
  static properties = {
    devices: { attribute: false },
    audioDeviceId: { type: String, attribute: 'audio-device-id' },
    videoDeviceId: { type: String, attribute: 'video-device-id' },
  };

  declare devices: LocalMediaState['devices'];
  declare audioDeviceId: string | null;
  declare videoDeviceId: string | null;

  constructor() {
    super();
    this.devices = [];
    this.audioDeviceId = null;
    this.videoDeviceId = null;
  }

  render() {
    return html`
      ${this.select('videoinput', 'Camera', this.videoDeviceId)}
      ${this.select('audioinput', 'Microphone', this.audioDeviceId)}
    `;
  }

  private select(kind: 'audioinput' | 'videoinput', label: string, current: string | null) {
    const options = this.devices.filter((device) => device.kind === kind);
    return html`<label class="field"
      >${label}
      <select
        part="select"
        ?disabled=${options.length === 0}
        data-testid=${kind === 'audioinput' ? 'microphone-select' : 'camera-select'}
        @change=${(event: Event) => this.change(kind, (event.target as HTMLSelectElement).value)}
      >
        ${options.length === 0 ? html`<option value="">No ${label.toLowerCase()} found</option>` : null}
        ${options.map((device) => html`<option value=${device.deviceId} ?selected=${device.deviceId === current}>${device.label}</option>`)}
      </select>
    </label>`;
  }

  private change(kind: 'audioinput' | 'videoinput', deviceId: string) {
    emit(this, 'derbel-device-change', { kind, deviceId });
  }

  static styles = [
    tokens,
    buttons,
    forms,
    css`
      :host {
        display: grid;
        gap: 0.6rem;
      }
      select {
        min-width: 0;
        width: 100%;
      }
    `,
  ];
}

define('derbel-device-picker', DerbelDevicePicker);

declare global {
  interface HTMLElementTagNameMap {
    'derbel-device-picker': DerbelDevicePicker;
  }
}
