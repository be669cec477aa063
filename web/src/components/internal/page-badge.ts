import { incomingRequests } from '../../client/state/contacts-state.js';
import type { DerbelClient } from '../../client/derbel-client.js';

const ICON_BACKGROUND = '#4f46e5';
const BADGE = '#c62828';

/** The favicon: the product's mark, with a red count when something waits. */
export function faviconUrl(count: number): string {
  const label = count > 99 ? '99+' : String(count);
  const badge = count
    ? `<circle cx="46" cy="18" r="18" fill="${BADGE}"/><text x="46" y="25" font-size="${label.length > 2 ? 14 : 20}" text-anchor="middle" fill="#fff" font-family="sans-serif" font-weight="700">${label}</text>`
    : '';
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect x="4" y="8" width="52" height="52" rx="12" fill="${ICON_BACKGROUND}"/><text x="30" y="48" font-size="36" text-anchor="middle" fill="#fff" font-family="sans-serif" font-weight="700">D</text>${badge}</svg>`;
  return `data:image/svg+xml,${encodeURIComponent(svg)}`;
}

/** Unread messages (direct and group conversations), conversations with an unseen missed call, and contact requests waiting for an answer. */
export function attentionCount(client: DerbelClient): number {
  if (!client.me) return 0;
  const { contacts, groups } = client.contacts.value;
  const unread = [...contacts, ...groups].reduce((sum, conversation) => sum + conversation.unreadCount, 0);
  return unread + Object.keys(client.missedCalls.value.byContact).length + incomingRequests(client.contacts.value).length;
}

/**
 * Shows what waits in the tab itself, for when it is in the background: `(3) Derbel` as the title
 * and a count on the favicon. Only the full app does this; an embedding page owns its own title.
 */
export function showAttentionOnPage(client: DerbelClient, baseTitle = document.title): () => void {
  let icon = document.querySelector<HTMLLinkElement>('link[rel="icon"]');
  if (!icon) {
    icon = document.createElement('link');
    icon.rel = 'icon';
    document.head.append(icon);
  }
  const link = icon;
  let shown = -1;
  const update = () => {
    const count = attentionCount(client);
    if (count === shown) return;
    shown = count;
    document.title = count ? `(${count > 99 ? '99+' : count}) ${baseTitle}` : baseTitle;
    link.href = faviconUrl(count);
  };
  update();
  const undo = [client.contacts.subscribe(update), client.missedCalls.subscribe(update), client.session.subscribe(update)];
  return () => {
    for (const off of undo) off();
    document.title = baseTitle;
  };
}
