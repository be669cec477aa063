import { LitElement, css, html, nothing, svg } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { ReactionChip } from '../client/reactions.js';
import { define } from './internal/define.js';
import { emit } from './internal/events.js';
import { tokens } from './internal/styles.js';

const addReactionIcon = svg`<svg aria-hidden="true" viewBox="0 0 24 24" width="18" height="18" fill="currentColor">
  <path d="M11 3a8 8 0 1 0 8 8h-2a6 6 0 1 1-6-6zM8.5 10a1.5 1.5 0 1 0 0-3 1.5 1.5 0 0 0 0 3zm5 0a1.5 1.5 0 1 0 0-3 1.5 1.5 0 0 0 0 3zM7 12.5a4.2 4.2 0 0 0 8 0zM18 2v3h-3v2h3v3h2V7h3V5h-3V2z"/>
</svg>`;

/**
 * A message's reactions: one chip per emoji (in the order they first came) with its count, pressed when the
 * user is among those who reacted, naming them in its label; and the "Add reaction" button.
 *
 * @event derbel-reaction-toggle - A chip was pressed: add or take back the user's reaction. `detail: { emoji }`.
 * @event derbel-reaction-add - "Add reaction" was pressed. `detail: { anchor }`: the button, to place the picker at.
 * @csspart chip - A reaction chip.
 */
export class DerbelReactions extends LitElement {
  static properties = {
    chips: { attribute: false },
    canReact: { type: Boolean, attribute: 'can-react' },
  };

  declare chips: ReactionChip[];
  /** Chips can be pressed and reactions added (not in a group the user left). */
  declare canReact: boolean;

  constructor() {
    super();
    this.chips = [];
    this.canReact = false;
  }

  render() {
    if (this.chips.length === 0 && !this.canReact) return nothing;
    return html`<div class="row" role="group" aria-label="Reactions">
      ${repeat(
        this.chips,
        (chip) => chip.emoji,
        (chip) => html`<button
          part="chip"
          class="chip"
          type="button"
          aria-pressed=${String(chip.mine)}
          aria-label="${chip.emoji} ${chip.count}: ${chip.who}"
          title="${chip.who} reacted with ${chip.emoji}"
          ?disabled=${!this.canReact}
          @click=${() => emit(this, 'derbel-reaction-toggle', { emoji: chip.emoji })}
          data-testid="reaction-chip"
          data-emoji=${chip.emoji}
        >
          <span class="emoji" aria-hidden="true">${chip.emoji}</span><span class="count" aria-hidden="true">${chip.count}</span>
        </button>`,
      )}
      ${
        this.canReact
          ? html`<button
            class="chip add"
            type="button"
            aria-label="Add reaction"
            title="Add reaction"
            aria-haspopup="dialog"
            @click=${(event: Event) => emit(this, 'derbel-reaction-add', { anchor: event.currentTarget as HTMLElement })}
            data-testid="add-reaction"
          >
            ${addReactionIcon}
          </button>`
          : nothing
      }
    </div>`;
  }

  static styles = [
    tokens,
    css`
      :host {
        display: block;
      }
      .row {
        display: flex;
        flex-wrap: wrap;
        gap: 0.25rem;
        padding-top: 0.3rem;
      }
      .chip {
        display: inline-flex;
        align-items: center;
        gap: 0.25rem;
        min-height: 1.9rem;
        min-width: 2.4rem;
        padding: 0.1rem 0.5rem;
        border: 1px solid var(--_border);
        border-radius: 999px;
        background: var(--_bg);
        color: var(--_text);
        font-size: 0.85rem;
        line-height: 1;
        cursor: pointer;
      }
      .chip:hover {
        border-color: var(--_muted);
      }
      .chip[aria-pressed='true'] {
        border-color: var(--_accent);
        background: color-mix(in srgb, var(--_accent) 18%, var(--_bg));
      }
      .chip:disabled {
        cursor: default;
      }
      .emoji {
        font-size: 1rem;
      }
      .count {
        font-variant-numeric: tabular-nums;
        font-weight: 600;
      }
      .add {
        justify-content: center;
        color: var(--_muted);
        opacity: var(--derbel-add-reaction-opacity, 1);
      }
      .add:focus-visible {
        opacity: 1;
      }
    `,
  ];
}

define('derbel-reactions', DerbelReactions);

declare global {
  interface HTMLElementTagNameMap {
    'derbel-reactions': DerbelReactions;
  }
}
