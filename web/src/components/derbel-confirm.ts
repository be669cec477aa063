import { LitElement, css, html } from 'lit';
import { define } from './internal/define.js';
import { buttons, tokens } from './internal/styles.js';

export type ConfirmQuestion = { title: string; message: string; confirmLabel: string };

/**
 * A modal question with Cancel and a (dangerous) confirm button, on the native `<dialog>`: focus stays
 * inside while it is open, Escape cancels, and focus returns to where it was.
 *
 * @csspart dialog - The dialog box.
 */
export class DerbelConfirm extends LitElement {
  static properties = { question: { state: true } };

  declare question: ConfirmQuestion | null;
  private answer: ((confirmed: boolean) => void) | null = null;

  constructor() {
    super();
    this.question = null;
  }

  /** Shows the question; resolves true when confirmed, false when cancelled or dismissed. */
  async ask(question: ConfirmQuestion): Promise<boolean> {
    this.answer?.(false);
    this.question = question;
    await this.updateComplete;
    const dialog = this.dialog;
    if (!dialog.open) dialog.showModal();
    dialog.querySelector<HTMLButtonElement>('.cancel')?.focus();
    return new Promise((resolve) => (this.answer = resolve));
  }

  private get dialog() {
    return this.renderRoot.querySelector('dialog')!;
  }

  private settle(confirmed: boolean) {
    const answer = this.answer;
    this.answer = null;
    if (this.dialog.open) this.dialog.close();
    answer?.(confirmed);
  }

  render() {
    const question = this.question;
    return html`<dialog part="dialog" aria-labelledby="title" aria-describedby="message" @close=${() => this.settle(false)} data-testid="confirm-dialog">
      <h2 id="title">${question?.title ?? ''}</h2>
      <p id="message">${question?.message ?? ''}</p>
      <div class="actions">
        <button class="button cancel" type="button" @click=${() => this.settle(false)}>Cancel</button>
        <button class="button danger" type="button" @click=${() => this.settle(true)} data-testid="confirm-action">
          ${question?.confirmLabel ?? 'OK'}
        </button>
      </div>
    </dialog>`;
  }

  static styles = [
    tokens,
    buttons,
    css`
      dialog {
        max-width: min(26rem, calc(100vw - 2rem));
        padding: 1.2rem;
        border: 1px solid var(--_border);
        border-radius: var(--_radius);
        background: var(--_bg);
        color: var(--_text);
      }
      dialog::backdrop {
        background: rgb(0 0 0 / 0.45);
      }
      h2 {
        margin: 0 0 0.5rem;
        font-size: 1.1rem;
      }
      p {
        margin: 0 0 1rem;
        color: var(--_muted);
      }
      .actions {
        display: flex;
        justify-content: flex-end;
        gap: 0.5rem;
      }
    `,
  ];
}

define('derbel-confirm', DerbelConfirm);

declare global {
  interface HTMLElementTagNameMap {
    'derbel-confirm': DerbelConfirm;
  }
}
