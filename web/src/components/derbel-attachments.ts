import { LitElement, css, html, nothing } from 'lit';
import { fileSize, isInlineImage } from '../client/file-size.js';
import type { Attachment } from '../client/types.js';
import { define } from './internal/define.js';
import { buttons, tokens } from './internal/styles.js';

export type AttachmentUrl = (attachmentId: string, variant: 'original' | 'thumbnail') => string;

/**
 * The files of one message: images as thumbnails that open in a viewer (Esc closes it, the arrow keys go
 * to the message's other images), other files as download links with their name and size.
 *
 * @csspart image - A thumbnail button.
 * @csspart file - A download link.
 * @csspart viewer - The image viewer dialog.
 */
export class DerbelAttachments extends LitElement {
  static properties = {
    attachments: { attribute: false },
    urlFor: { attribute: false },
    viewing: { state: true },
  };

  declare attachments: Attachment[];
  /** Builds each file's address (the client's `attachmentUrl`). */
  declare urlFor: AttachmentUrl | null;
  /** Index in `images` of the image open in the viewer, or -1. */
  declare viewing: number;

  constructor() {
    super();
    this.attachments = [];
    this.urlFor = null;
    this.viewing = -1;
  }

  private get images() {
    return this.attachments.filter((attachment) => isInlineImage(attachment.contentType));
  }

  render() {
    const urlFor = this.urlFor;
    if (!urlFor || this.attachments.length === 0) return nothing;
    const images = this.images;
    const files = this.attachments.filter((attachment) => !isInlineImage(attachment.contentType));
    const open = images[this.viewing];
    return html`
      ${
        images.length > 0
          ? html`<div class="images">
            ${images.map(
              (image, index) => html`<button
                part="image"
                class="thumb"
                type="button"
                aria-label="View ${image.name}"
                data-testid="attachment-image"
                @click=${() => this.view(index)}
              >
                <img src=${urlFor(image.id, 'thumbnail')} alt=${image.name} width=${thumbnailSize(image).width} height=${thumbnailSize(image).height} loading="lazy" />
              </button>`,
            )}
          </div>`
          : nothing
      }
      ${files.map(
        (file) => html`<a part="file" class="file" href=${urlFor(file.id, 'original')} download=${file.name} data-testid="attachment-file">
          <span class="icon" aria-hidden="true">📄</span>
          <span class="name">${file.name}</span>
          <span class="size">${fileSize(file.size)}</span>
        </a>`,
      )}
      <dialog part="viewer" aria-label=${open ? open.name : 'Image'} @close=${() => (this.viewing = -1)} @keydown=${this.keys} data-testid="image-viewer">
        ${
          open
            ? html`<figure>
              <img src=${urlFor(open.id, 'original')} alt=${open.name} data-testid="viewer-image" />
              <figcaption>
                <span>${open.name} · ${fileSize(open.size)}${images.length > 1 ? ` · ${this.viewing + 1} of ${images.length}` : ''}</span>
                <a class="button link" href=${urlFor(open.id, 'original')} download=${open.name}>Download</a>
                <button class="button" type="button" @click=${this.close} data-testid="close-viewer">Close</button>
              </figcaption>
            </figure>`
            : nothing
        }
      </dialog>
    `;
  }

  private async view(index: number) {
    this.viewing = index;
    await this.updateComplete;
    const dialog = this.renderRoot.querySelector('dialog')!;
    if (!dialog.open) dialog.showModal();
  }

  private close() {
    this.renderRoot.querySelector('dialog')?.close();
  }

  /** Esc closes (the dialog does that itself); left and right go through the message's images. */
  private keys(event: KeyboardEvent) {
    const count = this.images.length;
    if (count < 2) return;
    if (event.key === 'ArrowRight') this.viewing = (this.viewing + 1) % count;
    else if (event.key === 'ArrowLeft') this.viewing = (this.viewing - 1 + count) % count;
  }

  static styles = [
    tokens,
    buttons,
    css`
      :host {
        display: block;
      }
      .images {
        display: flex;
        flex-wrap: wrap;
        gap: 0.35rem;
        margin: 0.2rem 0;
      }
      .thumb {
        padding: 0;
        border: 1px solid var(--_border);
        border-radius: calc(var(--_radius) * 0.6);
        background: var(--_surface);
        overflow: hidden;
        cursor: zoom-in;
        line-height: 0;
      }
      .thumb:focus-visible {
        outline: none;
        box-shadow: var(--_focus);
      }
      .thumb img {
        display: block;
        max-width: min(320px, 100%);
        height: auto;
      }
      .file {
        display: flex;
        align-items: baseline;
        gap: 0.4rem;
        margin: 0.2rem 0;
        padding: 0.4rem 0.6rem;
        border: 1px solid var(--_border);
        border-radius: calc(var(--_radius) * 0.6);
        background: var(--_bg);
        color: var(--_text);
        text-decoration: none;
        max-width: 100%;
      }
      .file:hover .name {
        text-decoration: underline;
      }
      .file:focus-visible {
        outline: none;
        box-shadow: var(--_focus);
      }
      .name {
        overflow-wrap: anywhere;
        font-weight: 500;
      }
      .size {
        color: var(--_muted);
        font-size: 0.85em;
        white-space: nowrap;
      }
      dialog {
        border: none;
        padding: 0;
        max-width: 95vw;
        max-height: 95vh;
        background: var(--_bg);
        color: var(--_text);
        border-radius: var(--_radius);
      }
      dialog::backdrop {
        background: rgb(0 0 0 / 0.75);
      }
      figure {
        margin: 0;
        display: flex;
        flex-direction: column;
      }
      figure img {
        max-width: 95vw;
        max-height: calc(95vh - 3.5rem);
        object-fit: contain;
        background: var(--_surface);
      }
      figcaption {
        display: flex;
        align-items: center;
        gap: 0.75rem;
        padding: 0.5rem 0.75rem;
      }
      figcaption span {
        flex: 1;
        overflow-wrap: anywhere;
      }
    `,
  ];
}

/** The thumbnail's size (at most 320 px, never enlarged), so the layout does not jump when it loads. */
function thumbnailSize(image: Attachment): { width: number; height: number } {
  const width = image.width ?? 320;
  const height = image.height ?? 240;
  const scale = Math.min(1, 320 / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

define('derbel-attachments', DerbelAttachments);

declare global {
  interface HTMLElementTagNameMap {
    'derbel-attachments': DerbelAttachments;
  }
}
