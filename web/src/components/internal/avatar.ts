import { html } from 'lit';
import type { User } from '../../client/types.js';

/** A round badge with the person's initials, coloured by their id. Decorative: names are always written next to it. */
export function avatar(user: Pick<User, 'id' | 'displayName'> | null | undefined, size = 2.5) {
  const name = user?.displayName?.trim() || '?';
  const initials = name
    .split(/\s+/)
    .slice(0, 2)
    .map((word) => word[0]?.toUpperCase() ?? '')
    .join('');
  let hash = 0;
  for (const char of user?.id ?? name) hash = (hash * 31 + char.charCodeAt(0)) % 360;
  return html`<span
    part="avatar"
    aria-hidden="true"
    style="display:inline-grid;place-items:center;flex:none;width:${size}rem;height:${size}rem;border-radius:50%;background:hsl(${hash} 55% 45%);color:#fff;font-weight:600;font-size:${size * 0.38}rem"
    >${initials}</span
  >`;
}

/** A group's badge: a rounded square with its title's initials, coloured by its id, dark enough for white text at any hue (axe checks it although decorative). */
export function groupAvatar(group: { id: string; title: string }, size = 2.5) {
  const initials =
    group.title
      .trim()
      .split(/\s+/)
      .slice(0, 2)
      .map((word) => [...word][0]?.toUpperCase() ?? '')
      .join('') || '#';
  let hash = 0;
  for (const char of group.id) hash = (hash * 31 + char.charCodeAt(0)) % 360;
  return html`<span
    part="avatar group-avatar"
    aria-hidden="true"
    data-testid="group-avatar"
    style="display:inline-grid;place-items:center;flex:none;width:${size}rem;height:${size}rem;border-radius:${size * 0.28}rem;background:hsl(${hash} 45% 30%);color:#fff;font-weight:700;font-size:${size * 0.36}rem"
    >${initials}</span
  >`;
}
