import { LitElement, css, html, nothing } from 'lit';
import type { DerbelClient } from '../client/derbel-client.js';
import { ClientController } from './internal/client-controller.js';
import { define } from './internal/define.js';
import { emit, type DerbelEvent } from './internal/events.js';
import './derbel-contact-picker.js';
import { explain } from './derbel-sign-in.js';
import { buttons, forms, tokens } from './internal/styles.js';

/** Fewer than two others is not a group (docs/groups.md: 3–100 members, the creator included). */
const MIN_OTHERS = 2;
const MAX_OTHERS = 99;
const MAX_TITLE = 100;

/**
 * The "New group" button and its dialog: a title, two or more of one's contacts (search, checkboxes),
 * Create. On the native `<dialog>` (focus kept inside, Escape cancels).
 *
 * @event derbel-group-created - The group exists. `detail: { groupId }`.
 * @csspart button - The "New group" button.
 * @csspart dialog - The dialog box.
 */
export class DerbelNewGroup extends LitElement {
  static properties = {
    server: { type: String },
    client: { attribute: false },
    groupTitle: { state: true },
    memberIds: { state: true },
    busy: { state: true },
    error: { state: true },
  };

  declare server: string | null;
  declare client: DerbelClient | null;
  declare groupTitle: string;
  declare memberIds: string[];
  declare busy: boolean;
  declare error: string | null;

  private readonly controller = new ClientController(this, (client) => [client.contacts]);

  constructor() {
    super();
    this.server = null;
    this.client = null;
    this.groupTitle = '';
    this.memberIds = [];
    this.busy = false;
    this.error = null;
  }

  private get dialog() {
    return this.renderRoot.querySelector('dialog')!;
  }

  private get ready() {
    const title = this.groupTitle.trim();
    return (
      !this.busy &&
      title.length > 0 &&
      title.length <= MAX_TITLE &&
      this.memberIds.length >= MIN_OTHERS &&
      this.memberIds.length <= MAX_OTHERS
    );
  }

  render() {
    const client = this.controller.client;
    if (client?.session.value.status !== 'signed-in') return nothing;
    const people = client.contacts.value.contacts.map((contact) => contact.peer).sort((a, b) => a.displayName.localeCompare(b.displayName));
    const missing = MIN_OTHERS - this.memberIds.length;
    return html`
      <button part="button" class="button" type="button" @click=${this.open} data-testid="new-group">New group</button>
      <dialog part="dialog" aria-labelledby="new-group-title" @close=${this.reset} data-testid="new-group-dialog">
        <form @submit=${this.create}>
          <h2 id="new-group-title">New group</h2>
          <label class="field"
            >Group name
            <input
              name="title"
              maxlength=${MAX_TITLE}
              autocomplete="off"
              required
              .value=${this.groupTitle}
              @input=${(event: Event) => (this.groupTitle = (event.target as HTMLInputElement).value)}
              data-testid="group-title-input"
          /></label>
          <derbel-contact-picker
            label="Members"
            .people=${people}
            .selected=${this.memberIds}
            @derbel-selection-change=${(event: DerbelEvent<'derbel-selection-change'>) => (this.memberIds = event.detail.userIds)}
          ></derbel-contact-picker>
          <p class="hint" id="new-group-hint">
            ${missing > 0 ? `Choose ${missing} more ${missing === 1 ? 'person' : 'people'} from your contacts.` : 'You will be its admin.'}
          </p>
          ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
          <div class="actions">
            <button class="button" type="button" @click=${() => this.dialog.close()}>Cancel</button>
            <button class="button primary" type="submit" ?disabled=${!this.ready} aria-describedby="new-group-hint" data-testid="create-group">
              ${this.busy ? 'Creating…' : 'Create group'}
            </button>
          </div>
        </form>
      </dialog>
    `;
  }

  private async open() {
    this.reset();
    await this.updateComplete;
    this.dialog.showModal();
    this.renderRoot.querySelector<HTMLInputElement>('input[name="title"]')?.focus();
  }

  private reset() {
    if (this.busy) return;
    this.groupTitle = '';
    this.memberIds = [];
    this.error = null;
  }

  private async create(event: SubmitEvent) {
    event.preventDefault();
    const client = this.controller.client;
    if (!client || !this.ready) return;
    this.busy = true;
    this.error = null;
    try {
      const group = await client.groups.create(this.groupTitle, this.memberIds);
      this.busy = false;
      this.dialog.close();
      emit(this, 'derbel-group-created', { groupId: group.id });
    } catch (error) {
      this.busy = false;
      this.error = explain(error);
    }
  }

  static styles = [
    tokens,
    buttons,
    forms,
    css`
      :host {
        display: block;
      }
      dialog {
        width: min(28rem, calc(100vw - 2rem));
        padding: 1.2rem;
        border: 1px solid var(--_border);
        border-radius: var(--_radius);
        background: var(--_bg);
        color: var(--_text);
      }
      dialog::backdrop {
        background: rgb(0 0 0 / 0.45);
      }
      form {
        display: grid;
        gap: 0.75rem;
      }
      h2 {
        margin: 0;
        font-size: 1.1rem;
      }
      .hint {
        margin: 0;
        color: var(--_muted);
        font-size: 0.9rem;
      }
      .error {
        margin: 0;
      }
      .actions {
        display: flex;
        justify-content: flex-end;
        gap: 0.5rem;
      }
    `,
  ];
}

define('derbel-new-group', DerbelNewGroup);

declare global {
  interface HTMLElementTagNameMap {
    'derbel-new-group': DerbelNewGroup;
  }
}
