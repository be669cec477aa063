import { LitElement, css, html, nothing } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { DerbelClient } from '../client/derbel-client.js';
import { isAdmin, mayAddMembers, type Group } from '../client/state/groups-state.js';
import type { ConversationMember } from '../client/group-wire.js';
import { avatar } from './internal/avatar.js';
import { ClientController } from './internal/client-controller.js';
import { define } from './internal/define.js';
import { emit, type DerbelEvent } from './internal/events.js';
import './derbel-confirm.js';
import type { DerbelConfirm } from './derbel-confirm.js';
import './derbel-contact-picker.js';
import { explain } from './derbel-sign-in.js';
import { buttons, forms, tokens } from './internal/styles.js';

/**
 * A group's members and settings: names with an admin badge; rename; add members from one's contacts
 * (admins, or everyone when the group allows it); for admins, remove a member and whether members may
 * add people; leave (confirmed first).
 *
 * @attr group-id - The group.
 * @event derbel-group-left - The user left the group. `detail: { groupId }`.
 * @csspart member - Each member's row.
 */
export class DerbelGroupMembers extends LitElement {
  static properties = {
    server: { type: String },
    client: { attribute: false },
    groupId: { type: String, attribute: 'group-id' },
    renaming: { state: true },
    adding: { state: true },
    chosen: { state: true },
    busy: { state: true },
    error: { state: true },
  };

  declare server: string | null;
  declare client: DerbelClient | null;
  declare groupId: string | null;
  declare renaming: boolean;
  declare adding: boolean;
  declare chosen: string[];
  declare busy: boolean;
  declare error: string | null;

  private readonly controller = new ClientController(this, (client) => [client.contacts]);

  constructor() {
    super();
    this.server = null;
    this.client = null;
    this.groupId = null;
    this.renaming = false;
    this.adding = false;
    this.chosen = [];
    this.busy = false;
    this.error = null;
  }

  render() {
    const client = this.controller.client;
    const me = client?.me;
    const group = this.groupId ? client?.group(this.groupId) : null;
    if (!client || !me || !group) return nothing;
    const admin = isAdmin(group, me.id);
    const members = [...group.members].sort(
      (a, b) => Number(b.role === 'admin') - Number(a.role === 'admin') || a.displayName.localeCompare(b.displayName),
    );
    return html`
      <section aria-labelledby="members-title" data-testid="group-members">
        <h3 id="members-title">${group.left ? 'Members' : `${group.members.length} members`}</h3>
        ${group.left ? html`<p class="muted">You are no longer a member of this group.</p>` : this.renameForm(group)}
        ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
        ${
          group.left
            ? nothing
            : html`<ul aria-labelledby="members-title">
              ${repeat(
                members,
                (member) => member.id,
                (member) => this.member(group, member, me.id, admin),
              )}
            </ul>`
        }
        ${group.left ? nothing : this.addSection(group, me.id)}
        ${
          admin && !group.left
            ? html`<label class="setting"
              ><input
                type="checkbox"
                .checked=${group.membersMayAdd}
                ?disabled=${this.busy}
                @change=${(event: Event) => this.run(() => client.groups.setMembersMayAdd(group.id, (event.target as HTMLInputElement).checked))}
                data-testid="members-may-add"
              />
              Members may add people</label
            >`
            : nothing
        }
        ${
          group.left
            ? nothing
            : html`<button class="button danger-outline" type="button" ?disabled=${this.busy} @click=${() => this.leave(group)} data-testid="leave-group">
              Leave group
            </button>`
        }
      </section>
      <derbel-confirm></derbel-confirm>
    `;
  }

  private renameForm(group: Group) {
    if (!this.renaming) {
      return html`<button class="button link" type="button" @click=${() => this.startRenaming()} data-testid="rename-group">Rename group</button>`;
    }
    return html`<form class="rename" @submit=${(event: SubmitEvent) => this.rename(event, group)}>
      <label class="field"
        >Group name <input name="title" maxlength="100" required .value=${group.title} data-testid="rename-input"
      /></label>
      <div class="row">
        <button class="button primary" type="submit" ?disabled=${this.busy} data-testid="rename-save">Save</button>
        <button class="button" type="button" @click=${() => (this.renaming = false)}>Cancel</button>
      </div>
    </form>`;
  }

  private member(group: Group, member: ConversationMember, myId: string, admin: boolean) {
    const you = member.id === myId;
    return html`<li part="member" data-testid="group-member" data-user-id=${member.id} data-role=${member.role}>
      ${avatar(member, 1.8)}
      <span class="name">${member.displayName}${you ? ' (you)' : ''}</span>
      ${member.role === 'admin' ? html`<span class="admin" data-testid="admin-badge">Admin</span>` : nothing}
      ${
        admin && !you
          ? html`<button
            class="button small"
            type="button"
            aria-label="Remove ${member.displayName} from the group"
            ?disabled=${this.busy}
            @click=${() => this.removeMember(group, member)}
            data-testid="remove-member"
          >
            Remove
          </button>`
          : nothing
      }
    </li>`;
  }

  private addSection(group: Group, myId: string) {
    const client = this.controller.client!;
    if (!mayAddMembers(group, myId)) return nothing;
    if (!this.adding) {
      return html`<button class="button" type="button" @click=${() => (this.adding = true)} data-testid="add-members">Add members</button>`;
    }
    const present = new Set(group.members.map((member) => member.id));
    const people = client.contacts.value.contacts.map((contact) => contact.peer).filter((person) => !present.has(person.id));
    return html`<div class="adding">
      <derbel-contact-picker
        label="Contacts to add"
        .people=${people}
        .selected=${this.chosen}
        @derbel-selection-change=${(event: DerbelEvent<'derbel-selection-change'>) => (this.chosen = event.detail.userIds)}
      ></derbel-contact-picker>
      <div class="row">
        <button
          class="button primary"
          type="button"
          ?disabled=${this.busy || this.chosen.length === 0}
          @click=${() => this.add(group)}
          data-testid="add-members-confirm"
        >
          Add
        </button>
        <button class="button" type="button" @click=${() => ((this.adding = false), (this.chosen = []))}>Cancel</button>
      </div>
    </div>`;
  }

  private async startRenaming() {
    this.renaming = true;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLInputElement>('input[name="title"]')?.focus();
  }

  private async rename(event: SubmitEvent, group: Group) {
    event.preventDefault();
    const title = new FormData(event.target as HTMLFormElement).get('title')?.toString().trim() ?? '';
    if (!title || title === group.title) return void (this.renaming = false);
    if (await this.run(() => this.controller.client!.groups.rename(group.id, title))) this.renaming = false;
  }

  private async add(group: Group) {
    const ids = this.chosen;
    if (await this.run(() => this.controller.client!.groups.addMembers(group.id, ids))) {
      this.adding = false;
      this.chosen = [];
    }
  }

  private async removeMember(group: Group, member: ConversationMember) {
    const sure = await this.confirm().ask({
      title: `Remove ${member.displayName}?`,
      message: `${member.displayName} will no longer receive this group's messages. What they saw stays with them.`,
      confirmLabel: 'Remove',
    });
    if (sure) await this.run(() => this.controller.client!.groups.removeMember(group.id, member.id));
  }

  private async leave(group: Group) {
    const sure = await this.confirm().ask({
      title: `Leave ${group.title}?`,
      message: 'You will no longer receive its messages. What you saw stays readable on this device.',
      confirmLabel: 'Leave group',
    });
    if (!sure) return;
    if (await this.run(() => this.controller.client!.groups.leave(group.id))) {
      emit(this, 'derbel-group-left', { groupId: group.id });
    }
  }

  private confirm() {
    return this.renderRoot.querySelector<DerbelConfirm>('derbel-confirm')!;
  }

  private async run(action: () => Promise<unknown>): Promise<boolean> {
    this.busy = true;
    this.error = null;
    try {
      await action();
      return true;
    } catch (error) {
      this.error = explain(error);
      return false;
    } finally {
      this.busy = false;
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
      section {
        display: grid;
        gap: 0.6rem;
        align-content: start;
      }
      h3 {
        margin: 0;
        font-size: 0.95rem;
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        display: grid;
        gap: 0.25rem;
      }
      li {
        display: flex;
        align-items: center;
        gap: 0.5rem;
        min-height: 2.4rem;
      }
      .name {
        flex: 1;
        min-width: 0;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .admin {
        padding: 0 0.45rem;
        border-radius: 999px;
        border: 1px solid var(--_accent);
        color: var(--_accent);
        font-size: 0.75rem;
        font-weight: 600;
      }
      .button.small {
        min-height: 2rem;
        padding: 0.2rem 0.6rem;
        font-size: 0.85rem;
      }
      .button.link {
        justify-self: start;
      }
      .danger-outline {
        color: var(--_danger);
        border-color: var(--_danger);
      }
      .setting {
        display: flex;
        align-items: center;
        gap: 0.45rem;
      }
      .rename,
      .adding {
        display: grid;
        gap: 0.5rem;
      }
      .row {
        display: flex;
        gap: 0.5rem;
      }
      .muted {
        margin: 0;
        color: var(--_muted);
      }
      .error {
        margin: 0;
      }
    `,
  ];
}

define('derbel-group-members', DerbelGroupMembers);

declare global {
  interface HTMLElementTagNameMap {
    'derbel-group-members': DerbelGroupMembers;
  }
}
