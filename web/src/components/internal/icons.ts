import { svg } from 'lit';

/** Small inline icons (no icon font, no emoji: both render differently, or not at all, per system). */
const icon = (path: ReturnType<typeof svg>) =>
  svg`<svg aria-hidden="true" viewBox="0 0 24 24" width="18" height="18" fill="currentColor" style="flex:none">${path}</svg>`;

export const microphoneIcon = icon(
  svg`<path d="M12 14a3 3 0 0 0 3-3V5a3 3 0 1 0-6 0v6a3 3 0 0 0 3 3zm5-3a5 5 0 0 1-10 0H5a7 7 0 0 0 6 6.9V21h2v-3.1a7 7 0 0 0 6-6.9z"/>`,
);
export const microphoneOffIcon = icon(
  svg`<path d="M19 11h-2a5 5 0 0 1-.7 2.5l1.5 1.5A7 7 0 0 0 19 11zM15 11V5a3 3 0 0 0-5.9-.8L15 10.1zM4.3 3 3 4.3l6 6V11a3 3 0 0 0 4.4 2.6l1.6 1.6A5 5 0 0 1 7 11H5a7 7 0 0 0 6 6.9V21h2v-3.1a6.9 6.9 0 0 0 3.1-1.2l3.6 3.6 1.3-1.3z"/>`,
);
export const phoneIcon = icon(
  svg`<path d="M6.6 10.8a15.1 15.1 0 0 0 6.6 6.6l2.2-2.2a1 1 0 0 1 1-.25 11.4 11.4 0 0 0 3.6.57 1 1 0 0 1 1 1V20a1 1 0 0 1-1 1A17 17 0 0 1 3 4a1 1 0 0 1 1-1h3.5a1 1 0 0 1 1 1c0 1.25.2 2.45.57 3.57a1 1 0 0 1-.25 1z"/>`,
);
export const phoneMissedIcon = icon(
  svg`<path d="M6.5 5.5 12 11l7-7-1-1-6 6-4.5-4.5H11V3H5v6h1.5zM23.7 16.7A16.9 16.9 0 0 0 12 12 16.9 16.9 0 0 0 .3 16.7a1 1 0 0 0 0 1.4l2.5 2.5a1 1 0 0 0 1.4 0 11.3 11.3 0 0 1 2.6-1.8 1 1 0 0 0 .6-.9v-3.1a14.4 14.4 0 0 1 9.2 0v3.1a1 1 0 0 0 .6.9 11.3 11.3 0 0 1 2.6 1.8 1 1 0 0 0 1.4 0l2.5-2.5a1 1 0 0 0 0-1.4z"/>`,
);
