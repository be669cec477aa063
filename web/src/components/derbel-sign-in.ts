import { LitElement, css, html } from 'lit';
import { ApiError } from '../client/transport/api-error.js';
import type { DerbelClient } from '../client/derbel-client.js';
import { ClientController } from './internal/client-controller.js';
import { define } from './internal/define.js';
import { emit } from './internal/events.js';
import { buttons, forms, tokens } from './internal/styles.js';

/**
 * Sign in, or create an account and sign in. Shows the server's refusal next to the form.
 *
 * @event derbel-signed-in - The user is signed in. `detail: { user }`.
 * @slot heading - Replaces the "Derbel" heading.
 * @csspart form - The form.
 * @csspart submit - The submit button.
 * @csspart error - The error message.
 * @cssproperty --derbel-accent - Colour of the submit button.
 */
export class DerbelSignIn extends LitElement {
  static properties = {
    server: { type: String },
    client: { attribute: false },
    reason: { type: String },
    mode: { state: true },
    error: { state: true },
    busy: { state: true },
  };

  declare server: string | null;
  declare client: DerbelClient | null;
  /** Why the user is here: `expired` or `unreachable` show a note. */
  declare reason: string | null;
  declare mode: 'sign-in' | 'sign-up';
  declare error: string | null;
  declare busy: boolean;

  private readonly controller = new ClientController(this);

  constructor() {
    super();
    this.server = null;
    this.client = null;
    this.reason = null;
    this.mode = 'sign-in';
    this.error = null;
    this.busy = false;
  }

  render() {
    const signUp = this.mode === 'sign-up';
    const note =
      this.reason === 'expired'
        ? 'Your session has ended. Please sign in again.'
        : this.reason === 'unreachable'
          ? 'The server is unreachable right now.'
          : null;
    return html`
      <section aria-labelledby="title">
        <slot name="heading"><h1 class="brand">Derbel</h1></slot>
        <h2 id="title">${signUp ? 'Create your account' : 'Sign in'}</h2>
        ${note ? html`<p class="note" role="status">${note}</p>` : null}
        <form part="form" @submit=${this.submit} novalidate>
          <label class="field"
            >Username
            <input name="username" autocomplete="username" required minlength="3" maxlength="32" data-testid="username" />
          </label>
          ${
            signUp
              ? html`<label class="field"
                >Display name <input name="displayName" autocomplete="name" required maxlength="64" data-testid="display-name"
              /></label>`
              : null
          }
          <label class="field"
            >Password
            <input
              name="password"
              type="password"
              required
              minlength=${signUp ? 8 : 1}
              autocomplete=${signUp ? 'new-password' : 'current-password'}
              data-testid="password"
            />
          </label>
          ${signUp ? html`<p class="hint">At least 8 characters. Usernames use a–z, 0–9, “_”, “.” and “-”.</p>` : null}
          <p part="error" class="error" role="alert" data-testid="sign-in-error">${this.error ?? ''}</p>
          <button part="submit" class="button primary" type="submit" ?disabled=${this.busy} data-testid="submit">
            ${this.busy ? 'Please wait…' : signUp ? 'Create account' : 'Sign in'}
          </button>
        </form>
        <p>
          ${signUp ? 'Already have an account?' : 'New to Derbel?'}
          <button class="button link" type="button" @click=${this.switchMode} data-testid="switch-mode">
            ${signUp ? 'Sign in' : 'Create an account'}
          </button>
        </p>
      </section>
    `;
  }

  private switchMode() {
    this.mode = this.mode === 'sign-in' ? 'sign-up' : 'sign-in';
    this.error = null;
  }

  private async submit(event: SubmitEvent) {
    event.preventDefault();
    const client = this.controller.client;
    if (!client || this.busy) return;
    const form = new FormData(event.target as HTMLFormElement);
    const username = String(form.get('username') ?? '').trim();
    const password = String(form.get('password') ?? '');
    const displayName = String(form.get('displayName') ?? '').trim();
    const problem = this.validate(username, password, displayName);
    if (problem) {
      this.error = problem;
      return;
    }
    this.busy = true;
    this.error = null;
    try {
      const user =
        this.mode === 'sign-up' ? await client.signUp({ username, password, displayName }) : await client.signIn(username, password);
      emit(this, 'derbel-signed-in', { user });
    } catch (error) {
      this.error = explain(error);
    } finally {
      this.busy = false;
    }
  }

  private validate(username: string, password: string, displayName: string) {
    if (!username) return 'Enter your username.';
    if (!password) return 'Enter your password.';
    if (this.mode === 'sign-in') return null;
    if (!/^[a-z0-9_.-]{3,32}$/i.test(username)) return 'Usernames are 3–32 letters, digits, “_”, “.” or “-”.';
    if (!displayName) return 'Enter the name people will see.';
    if (password.length < 8) return 'Use a password of at least 8 characters.';
    return null;
  }

  static styles = [
    tokens,
    buttons,
    forms,
    css`
      :host {
        display: block;
        max-width: 24rem;
        margin: 2rem auto;
        padding: 1.5rem;
        background: var(--_bg);
        border: 1px solid var(--_border);
        border-radius: var(--_radius);
      }
      .brand {
        margin: 0 0 0.5rem;
        color: var(--_accent);
      }
      h2 {
        margin: 0 0 1rem;
        font-size: 1.2rem;
      }
      form {
        display: grid;
        gap: 0.85rem;
      }
      .hint,
      .note {
        margin: 0;
        color: var(--_muted);
        font-size: 0.9rem;
      }
      .error:empty {
        display: none;
      }
      .error {
        margin: 0;
      }
    `,
  ];
}

export function explain(error: unknown): string {
  if (!(error instanceof ApiError)) return 'Something went wrong. Please try again.';
  switch (error.code) {
    case 'NETWORK_ERROR':
      return 'The server is unreachable. Check your connection and try again.';
    case 'INVALID_CREDENTIALS':
      return 'Wrong username or password.';
    case 'USERNAME_TAKEN':
      return 'That username is taken. Try another one.';
    case 'RATE_LIMITED':
      return 'Too many attempts. Wait a minute and try again.';
    default:
      return error.message || 'Something went wrong. Please try again.';
  }
}

define('derbel-sign-in', DerbelSignIn);

declare global {
  interface HTMLElementTagNameMap {
    'derbel-sign-in': DerbelSignIn;
  }
}
