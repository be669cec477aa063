import { css, unsafeCSS } from 'lit';

/** The colours, light and dark: [internal name, public custom property, light default, dark default]. */
const PALETTE: ReadonlyArray<readonly [string, string, string, string]> = [
  ['--_accent', '--derbel-accent', '#4f46e5', '#8b85ff'],
  ['--_accent-text', '--derbel-accent-text', '#ffffff', '#0f0f16'],
  ['--_bg', '--derbel-background', '#ffffff', '#15151c'],
  ['--_surface', '--derbel-surface', '#f4f4f7', '#23232d'],
  ['--_text', '--derbel-text', '#1c1c24', '#ececf2'],
  ['--_muted', '--derbel-muted', '#5f6170', '#a9abb9'],
  ['--_border', '--derbel-border', '#d9d9e3', '#3c3c4a'],
  ['--_danger', '--derbel-danger', '#c62828', '#ff7b72'],
  ['--_success', '--derbel-success', '#1b873f', '#3ccf6e'],
  // Text on a danger or success background, and success-coloured text on the page.
  ['--_on-danger', '--derbel-on-danger', '#ffffff', '#15151c'],
  ['--_on-success', '--derbel-on-success', '#ffffff', '#0f0f16'],
  ['--_success-text', '--derbel-success-text', '#17743a', '#3ccf6e'],
];

const defaults = (scheme: 'light' | 'dark') =>
  unsafeCSS(
    PALETTE.map(([internal, exposed, light, dark]) => `${internal}: var(${exposed}, ${scheme === 'light' ? light : dark});`).join('\n'),
  );

/** Every public colour property set to one scheme: how `<derbel-app theme="…">` overrides the system's. */
export const palette = (scheme: 'light' | 'dark') =>
  unsafeCSS(
    `${PALETTE.map(([, exposed, light, dark]) => `${exposed}: ${scheme === 'light' ? light : dark};`).join('\n')} --derbel-color-scheme: ${scheme};`,
  );

/**
 * Shared look. Every value comes from a CSS custom property with a default, so a host page themes
 * all elements at once, e.g. `derbel-app { --derbel-accent: teal; }`. The defaults follow the
 * system's light or dark preference.
 */
export const tokens = css`
  :host {
    ${defaults('light')}
    --_radius: var(--derbel-radius, 10px);
    --_font: var(--derbel-font, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif);
    --_focus: var(--derbel-focus-ring, 0 0 0 3px color-mix(in srgb, var(--_accent) 45%, transparent));
    color-scheme: var(--derbel-color-scheme, light dark);
  }
  @media (prefers-color-scheme: dark) {
    :host {
      ${defaults('dark')}
    }
  }
  :host {
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
    color: var(--_on-danger);
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
`;

/** Labelled fields, their text controls (`.control` for one outside a `.field`) and the error line. */
export const forms = css`
  .field {
    display: grid;
    gap: 0.3rem;
  }
  .field input,
  .field select,
  .control,
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
