import { LitElement, css, html, nothing } from 'lit';
import { QUICK_REACTIONS } from '../client/reactions.js';
import { define } from './internal/define.js';
import { emit } from './internal/events.js';
import { buttons, tokens } from './internal/styles.js';

import type { EmojiClickEvent } from 'emoji-picker-element/shared.js';

type EmojiPicker = HTMLElement & { dataSource: string };

const QUICK_NAMES: Record<(typeof QUICK_REACTIONS)[number], string> = {
  '👍': 'Thumbs up',
  '❤️': 'Red heart',
  '😂': 'Face with tears of joy',
  '😮': 'Face with open mouth',
  '😢': 'Crying face',
  '🙏': 'Folded hands',
};

/** The page's focused element, inside shadow roots. */
function deepActiveElement(): Element | null {
  let active = document.activeElement;
  while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
  return active;
}

/**
 * Choosing a reaction: a popover with the common few and "More…", which loads the full emoji picker
 * (`emoji-picker-element`, lazily) reading its data from `data-source` on the Derbel server, never a CDN.
 * One per conversation: `open(anchor)` shows it next to a message's "Add reaction" button, where focus
 * returns when it closes (Escape, a click elsewhere, or a choice).
 *
 * @event derbel-reaction-pick - An emoji was chosen. `detail: { emoji }`.
 * @attr data-source - The URL of the emoji data (`emoji-picker-element-data`'s JSON), served by our own origin.
 * @csspart panel - The popover.
 */
export class DerbelReactionPicker extends LitElement {
  static properties = {
    dataSource: { type: String, attribute: 'data-source' },
    full: { state: true },
    loading: { state: true },
    failed: { state: true },
  };

  declare dataSource: string;
  declare full: boolean;
  declare loading: boolean;
  declare failed: boolean;
  private anchor: HTMLElement | null = null;
  private picker: EmojiPicker | null = null;

  constructor() {
    super();
    this.dataSource = '/emoji/data.json';
    this.full = false;
    this.loading = false;
    this.failed = false;
  }

  get isOpen() {
    return Boolean(this.panel?.matches(':popover-open'));
  }

  /** Shows the common reactions next to `anchor`, the first one focused. */
  async open(anchor: HTMLElement) {
    this.anchor = anchor;
    this.full = false;
    await this.updateComplete;
    const panel = this.panel!;
    if (!this.isOpen) panel.showPopover();
    this.place();
    this.renderRoot.querySelector<HTMLButtonElement>('.quick button')?.focus();
  }

  close() {
    if (this.isOpen) this.panel!.hidePopover();
  }

  render() {
    return html`<div
      id="panel"
      part="panel"
      class="panel"
      popover
      role="dialog"
      aria-label="Add reaction"
      @toggle=${this.toggled}
      @keydown=${this.keys}
      data-testid="reaction-picker"
    >
      ${this.quickView()}
      <div class="full" ?hidden=${!this.full}>${this.fullView()}</div>
    </div>`;
  }

  private quickView() {
    return html`<div class="quick" role="group" aria-label="Common reactions" ?hidden=${this.full}>
      ${QUICK_REACTIONS.map(
        (emoji) =>
          html`<button
            class="emoji"
            type="button"
            aria-label=${QUICK_NAMES[emoji]}
            title=${QUICK_NAMES[emoji]}
            @click=${() => this.pick(emoji)}
            data-testid="quick-reaction"
            data-emoji=${emoji}
          >
            ${emoji}
          </button>`,
      )}
      <button class="button link more" type="button" @click=${this.showFull} data-testid="more-reactions">More…</button>
    </div>`;
  }

  /** Once created, the full picker stays in the document (hidden): it keeps its database open. */
  private fullView() {
    if (this.failed) {
      return html`<p class="status" role="alert">
        The emoji could not be loaded. <button class="button link" type="button" @click=${this.showFull}>Try again</button>
      </p>`;
    }
    if (this.loading) return html`<p class="status" role="status">Loading emoji…</p>`;
    if (!this.picker) return nothing;
    return this.picker;
  }

  private async showFull() {
    this.full = true;
    this.failed = false;
    if (!this.picker) {
      this.loading = true;
      try {
        // Its own chunk: the app's first load does not carry the picker.
        const { default: Picker } = await import('emoji-picker-element/picker.js');
        // Given to the constructor, so the picker never starts a database on its default (CDN) source.
        this.picker = new Picker({ dataSource: this.dataSource, locale: 'en' }) as EmojiPicker;
        this.picker.addEventListener('emoji-click', (event) => {
          const emoji = (event as EmojiClickEvent).detail.unicode;
          if (emoji) this.pick(emoji);
        });
      } catch {
        this.failed = true;
      } finally {
        this.loading = false;
      }
    }
    this.theme();
    await this.updateComplete;
    this.place();
    await customElements.whenDefined('emoji-picker');
    this.picker?.shadowRoot?.querySelector<HTMLInputElement>('input[type="search"]')?.focus();
  }

  /** The picker's light or dark look, as the app's (its own colours come from ours, see the styles). */
  private theme() {
    const chosen = getComputedStyle(this).getPropertyValue('--derbel-color-scheme').trim();
    const dark = chosen ? chosen === 'dark' : matchMedia('(prefers-color-scheme: dark)').matches;
    this.picker?.classList.toggle('dark', dark);
    this.picker?.classList.toggle('light', !dark);
  }

  private pick(emoji: string) {
    emit(this, 'derbel-reaction-pick', { emoji });
    this.close();
  }

  private get panel() {
    return this.renderRoot.querySelector<HTMLElement>('.panel');
  }

  /** Below the anchor when it fits, above otherwise; always inside the window. */
  private place() {
    const panel = this.panel;
    if (!panel || !this.anchor || !this.isOpen) return;
    const at = this.anchor.getBoundingClientRect();
    const { offsetWidth: width, offsetHeight: height } = panel;
    const gap = 4;
    const below = at.bottom + gap + height <= innerHeight;
    const top = below ? at.bottom + gap : Math.max(gap, at.top - gap - height);
    const left = Math.min(Math.max(gap, at.left), Math.max(gap, innerWidth - width - gap));
    panel.style.top = `${top}px`;
    panel.style.left = `${left}px`;
  }

  private toggled(event: ToggleEvent) {
    if (event.newState !== 'closed') return;
    this.full = false;
    const active = deepActiveElement();
    const focusLost = !active || active === document.body || this.holds(active);
    if (focusLost && this.anchor?.isConnected) this.anchor.focus();
  }

  /** Whether the node is inside this element, through shadow roots (the full picker's search field is in its own). */
  private holds(node: Node) {
    for (let at: Node | null = node; at; at = at.parentNode ?? (at instanceof ShadowRoot ? at.host : null)) if (at === this) return true;
    return false;
  }

  /** Arrows move along the common reactions. */
  private keys(event: KeyboardEvent) {
    if (this.full || (event.key !== 'ArrowRight' && event.key !== 'ArrowLeft')) return;
    const items = [...this.renderRoot.querySelectorAll<HTMLButtonElement>('.quick button')];
    const at = items.indexOf(deepActiveElement() as HTMLButtonElement);
    if (at < 0) return;
    event.preventDefault();
    items[(at + (event.key === 'ArrowRight' ? 1 : -1) + items.length) % items.length].focus();
  }

  static styles = [
    tokens,
    buttons,
    css`
      .panel {
        position: fixed;
        inset: auto;
        margin: 0;
        padding: 0.35rem;
        border: 1px solid var(--_border);
        border-radius: var(--_radius);
        background: var(--_bg);
        color: var(--_text);
        box-shadow: 0 6px 20px rgb(0 0 0 / 0.22);
      }
      [hidden] {
        display: none !important;
      }
      .quick {
        display: flex;
        align-items: center;
        gap: 0.15rem;
      }
      .emoji {
        width: 2.4rem;
        height: 2.4rem;
        border: none;
        border-radius: calc(var(--_radius) - 4px);
        background: none;
        font-size: 1.35rem;
        line-height: 1;
        cursor: pointer;
      }
      .emoji:hover,
      .emoji:focus-visible {
        background: var(--_surface);
      }
      .more {
        white-space: nowrap;
        min-height: 2.4rem;
      }
      .status {
        margin: 0.5rem;
        font-size: 0.9rem;
      }
      emoji-picker {
        --background: var(--_bg);
        --border-color: var(--_border);
        --border-size: 0;
        --button-active-background: color-mix(in srgb, var(--_accent) 25%, var(--_bg));
        --button-hover-background: var(--_surface);
        --category-font-color: var(--_text);
        --indicator-color: var(--_accent);
        --input-border-color: var(--_border);
        --input-font-color: var(--_text);
        --input-placeholder-color: var(--_muted);
        --outline-color: var(--_accent);
        --skintone-border-radius: var(--_radius);
      }
    `,
  ];
}

define('derbel-reaction-picker', DerbelReactionPicker);

declare global {
  interface HTMLElementTagNameMap {
    'derbel-reaction-picker': DerbelReactionPicker;
  }
}
