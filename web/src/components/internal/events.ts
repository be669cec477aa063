import type { Attachment, User } from '../../client/types.js';

type MovedContact = { contact: { id: string; peer: User; status: 'pending' | 'accepted' } };

declare global {
  /** Every event the elements fire, so listeners get their `detail` typed; `null` detail means none. */
  interface GlobalEventHandlersEventMap {
    'derbel-back': CustomEvent<null>;
    'derbel-call-accept': CustomEvent<{ meetingId: string }>;
    'derbel-call-back': CustomEvent<{ contactId: string }>;
    'derbel-call-decline': CustomEvent<{ meetingId: string }>;
    'derbel-call-start': CustomEvent<{ contactId: string }>;
    'derbel-contact-added': CustomEvent<MovedContact>;
    'derbel-contact-ended': CustomEvent<{ contactId: string; byMe: boolean }>;
    'derbel-contact-requested': CustomEvent<MovedContact>;
    'derbel-contact-select': CustomEvent<{ contactId: string }>;
    'derbel-device-change': CustomEvent<{ kind: 'audioinput' | 'videoinput'; deviceId: string }>;
    'derbel-draft': CustomEvent<{ text: string }>;
    'derbel-end': CustomEvent<null>;
    'derbel-group-created': CustomEvent<{ groupId: string }>;
    'derbel-group-left': CustomEvent<{ groupId: string }>;
    'derbel-leave': CustomEvent<null>;
    'derbel-meeting-closed': CustomEvent<null>;
    'derbel-message-delete': CustomEvent<{ messageId: string }>;
    'derbel-message-discard': CustomEvent<{ messageId: string }>;
    'derbel-message-edit': CustomEvent<{ messageId: string; text: string }>;
    'derbel-message-reply': CustomEvent<{ messageId: string }>;
    'derbel-message-retry': CustomEvent<{ messageId: string }>;
    'derbel-reaction-add': CustomEvent<{ anchor: HTMLElement }>;
    'derbel-reaction-pick': CustomEvent<{ emoji: string }>;
    'derbel-reaction-toggle': CustomEvent<{ emoji: string }>;
    'derbel-reply-cancel': CustomEvent<null>;
    'derbel-reply-open': CustomEvent<{ messageId: string }>;
    'derbel-search-result': CustomEvent<{ conversationId: string; messageId: string }>;
    'derbel-selection-change': CustomEvent<{ userIds: string[] }>;
    'derbel-send': CustomEvent<{ text: string; attachments?: Attachment[] }>;
    'derbel-signed-in': CustomEvent<{ user: User }>;
    'derbel-toggle-audio': CustomEvent<null>;
    'derbel-toggle-devices': CustomEvent<null>;
    'derbel-toggle-screen': CustomEvent<null>;
    'derbel-toggle-video': CustomEvent<null>;
    'derbel-typing': CustomEvent<null>;
  }
}

export type DerbelEventType = Extract<keyof GlobalEventHandlersEventMap, `derbel-${string}`>;
export type DerbelEvent<K extends DerbelEventType> = GlobalEventHandlersEventMap[K];
type Detail<K extends DerbelEventType> = DerbelEvent<K> extends CustomEvent<infer D> ? D : never;
type EmitOptions = { cancelable?: boolean };

/**
 * Fires a `derbel-*` event that bubbles out of shadow roots (`composed`) so the page can listen on any ancestor.
 * Returns false when a listener cancelled a `cancelable` one (the element then leaves the default action).
 */
export function emit<K extends DerbelEventType>(
  target: EventTarget,
  type: K,
  ...[detail, options]: Detail<K> extends null ? [detail?: null, options?: EmitOptions] : [detail: Detail<K>, options?: EmitOptions]
): boolean {
  return target.dispatchEvent(
    new CustomEvent(type, { detail: detail ?? null, bubbles: true, composed: true, cancelable: options?.cancelable ?? false }),
  );
}
