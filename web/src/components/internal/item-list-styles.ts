import { css } from 'lit';

/** A page of items (the call log, the sessions): a heading, then cards with a text column and actions. */
export const itemList = css`
  :host {
    display: block;
    padding: 1rem;
  }
  h2 {
    margin: 0 0 0.8rem;
    font-size: 1.15rem;
  }
  ul {
    list-style: none;
    margin: 0 0 1rem;
    padding: 0;
    display: grid;
    gap: 0.4rem;
  }
  li {
    display: flex;
    align-items: center;
    gap: 0.7rem;
    padding: 0.5rem;
    border-radius: var(--_radius);
    background: var(--_surface);
    flex-wrap: wrap;
  }
  .text {
    display: grid;
    flex: 1;
    min-width: 8rem;
  }
`;
