import { LitElement, css, html } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { User } from '../client/types.js';
import { avatar } from './internal/avatar.js';
import { define } from './internal/define.js';
import { emit } from './internal/events.js';
import { tokens } from './internal/styles.js';

/**
 * Choose people from a list (one's contacts): a search box filters by name or username, each person has
 * a checkbox. Used to make a group and to add members.
 *
 * @event derbel-selection-change - The chosen people changed. `detail: { userIds }`.
 * @attr label - The name of the group of checkboxes (default "Contacts").
 * @csspart option - Each person's row.
 */
export class DerbelContactPicker extends LitElement {
  static properties = {
    people: { attribute: false },
    selected: { attribute: false },
    label: { type: String },
    query: { state: true },
  };

  /** Who can be chosen. */
  declare people: User[];
  /** The ids chosen. */
  declare selected: string[];
  declare label: string;
  declare query: string;

  constructor() {
    super();
    this.people = [];
    this.selected = [];
    this.label = 'Contacts';
    this.query = '';
  }

  render() {
    const query = this.query.trim().toLowerCase();
    const shown = this.people.filter(
      (person) => !query || person.displayName.toLowerCase().includes(query) || person.username.toLowerCase().includes(query),
    );
    const chosen = new Set(this.selected);
    return html`
      <label class="search"
        ><span class="visually-hidden">Search ${this.label.toLowerCase()}</span>
        <input
          type="search"
          placeholder="Search ${this.label.toLowerCase()}…"
          .value=${this.query}
          @input=${(event: Event) => (this.query = (event.target as HTMLInputElement).value)}
          data-testid="picker-search"
      /></label>
      <fieldset>
        <legend class="visually-hidden">${this.label}</legend>
        ${
          shown.length === 0
            ? html`<p class="none">${this.people.length === 0 ? 'No one to add.' : 'No one matches.'}</p>`
            : html`<ul>
              ${repeat(
                shown,
                (person) => person.id,
                (person) => html`<li part="option">
                  <label data-testid="picker-option" data-username=${person.username}>
                    <input type="checkbox" .checked=${chosen.has(person.id)} @change=${(event: Event) => this.toggle(person.id, (event.target as HTMLInputElement).checked)} />
                    ${avatar(person, 1.8)}
                    <span class="name">${person.displayName}</span>
                    <span class="username">@${person.username}</span>
                  </label>
                </li>`,
              )}
            </ul>`
        }
      </fieldset>
      <p class="count" aria-live="polite" data-testid="picker-count">${this.selected.length} selected</p>
    `;
  }

  private toggle(userId: string, on: boolean) {
    this.selected = on ? [...this.selected.filter((id) => id !== userId), userId] : this.selected.filter((id) => id !== userId);
    emit(this, 'derbel-selection-change', { userIds: this.selected });
  }

  static styles = [
    tokens,
    css`
      :host {
        display: grid;
        gap: 0.4rem;
      }
      input[type='search'] {
        width: 100%;
        min-height: 2.4rem;
        padding: 0.4rem 0.6rem;
        border: 1px solid var(--_border);
        border-radius: var(--_radius);
        background: var(--_bg);
      }
      fieldset {
        margin: 0;
        padding: 0;
        border: none;
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        max-height: 14rem;
        overflow-y: auto;
      }
      label {
        display: flex;
        align-items: center;
        gap: 0.55rem;
        padding: 0.35rem 0.4rem;
        border-radius: var(--_radius);
        cursor: pointer;
      }
      li label:hover {
        background: var(--_surface);
      }
      .name {
        font-weight: 600;
      }
      .username,
      .none,
      .count {
        color: var(--_muted);
        font-size: 0.85rem;
      }
      .none,
      .count {
        margin: 0;
      }
    `,
  ];
}

define('derbel-contact-picker', DerbelContactPicker);

declare global {
  interface HTMLElementTagNameMap {
    'derbel-contact-picker': DerbelContactPicker;
  }
}
