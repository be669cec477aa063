import { css } from 'lit';

/**
 * Shared look. Every value comes from a CSS custom property with a default, so a host page themes
 * all elements at once, e.g. `derbel-app { --derbel-accent: teal; }`.
 */
export const tokens = css`
  :host {
    --_accent: var(--derbel-accent, #4f46e5);
    --_accent-text: var(--derbel-accent-text, #ffffff);
    --_bg: var(--derbel-background, #ffffff);
    --_surface: var(--derbel-surface, #f4f4f7);
    --_text: var(--derbel-text, #1c1c24);
    --_muted: var(--derbel-muted, #5f6170);
    --_border: var(--derbel-border, #d9d9e3);
    --_danger: var(--derbel-danger, #c62828);
    --_success: var(--derbel-success, #1b873f);
    --_radius: var(--derbel-radius, 10px);
    --_font: var(--derbel-font, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif);
    --_focus: var(--derbel-focus-ring, 0 0 0 3px color-mix(in srgb, var(--_accent) 45%, transparent));
    font-family: var(--_font);
    color: var(--_text);
    box-sizing: border-box;
  }
  *,
  *::before,
  *::after {
    box-sizing: inherit;
  }
  button,
  input,
  select,
  textarea {
    font: inherit;
    color: inherit;
  }
  :focus-visible {
    outline: none;
    box-shadow: var(--_focus);
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
`;

export const buttons = css`
  .button {
    display: inline-flex;
    align-items: center;
    justify-content: center;
    gap: 0.4em;
    min-height: 2.5rem;
    padding: 0.45rem 0.9rem;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_bg);
    cursor: pointer;
  }
  .button.primary {
    background: var(--_accent);
    border-color: var(--_accent);
    color: var(--_accent-text);
  }
  .button.danger {
    background: var(--_danger);
    border-color: var(--_danger);
    color: #fff;
  }
  .button.link {
    border: none;
    background: none;
    min-height: auto;
    padding: 0.1rem 0.3rem;
    color: var(--_accent);
    text-decoration: underline;
  }
  .button:disabled {
    opacity: 0.55;
    cursor: not-allowed;
  }
  .field {
    display: grid;
    gap: 0.3rem;
  }
  .field input,
  .field select,
  textarea {
    min-height: 2.5rem;
    padding: 0.45rem 0.65rem;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_bg);
  }
  .error {
    color: var(--_danger);
  }
`;
