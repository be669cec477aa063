import type { KeyValueStore } from './key-value-store.js';
import { Observable } from './observable.js';
import type { FeedEvent, User } from './types.js';

const SETTING = 'derbel.notifications';

type Source = {
  me: User | null;
  events: { on(type: 'feed', listener: (event: FeedEvent) => void): () => void };
  contact(contactId: string): { peer: User } | null;
  group?(groupId: string): { title: string; members: User[]; names: Record<string, string> } | null;
};

/**
 * Desktop notifications for messages and calls while the tab is hidden. Off until the user turns
 * them on (the browser's permission is asked then, on that click, never on load); the choice is
 * kept per device.
 */
export class DesktopNotifications {
  readonly enabled: Observable<boolean>;

  constructor(
    private readonly storage: KeyValueStore,
    /** Opens a conversation when its notification is clicked. */
    private readonly open: (contactId: string) => void = (contactId) => (location.hash = `#/contacts/${encodeURIComponent(contactId)}`),
  ) {
    this.enabled = new Observable(this.storage.getItem(SETTING) === 'on' && DesktopNotifications.permission() === 'granted');
  }

  static supported() {
    return typeof Notification !== 'undefined';
  }

  static permission(): NotificationPermission | 'unsupported' {
    return DesktopNotifications.supported() ? Notification.permission : 'unsupported';
  }

  /** Call from a click: asks the browser's permission if needed. Resolves to whether they are on. */
  async enable(): Promise<boolean> {
    if (!DesktopNotifications.supported()) return false;
    const permission = Notification.permission === 'default' ? await Notification.requestPermission() : Notification.permission;
    this.save(permission === 'granted');
    return this.enabled.value;
  }

  disable() {
    this.save(false);
  }

  /** Shows a notification for each feed event worth one, while the page is hidden. */
  watch(source: Source): () => void {
    return source.events.on('feed', (event) => {
      if (!this.enabled.value || document.visibilityState !== 'hidden' || Notification.permission !== 'granted') return;
      const me = source.me;
      if (!me) return;
      if (event.type === 'MessageSent' && event.data.senderId !== me.id) {
        const peer = source.contact(event.data.contactId)?.peer;
        const group = source.group?.(event.data.contactId);
        const sender = group?.names[event.data.senderId] ?? 'Someone';
        const title = group ? group.title : (peer?.displayName ?? 'New message');
        this.show(title, group ? `${sender}: ${event.data.text}` : event.data.text, event.data.contactId, event.data.contactId);
      } else if (event.type === 'MeetingStarted' && event.data.startedBy !== me.id && event.data.invitees.includes(me.id)) {
        const peer = source.contact(event.data.contactId)?.peer;
        this.show(`${peer?.displayName ?? 'Someone'} is calling you`, 'Open Derbel to answer.', event.data.meetingId, event.data.contactId);
      }
    });
  }

  private show(title: string, body: string, tag: string, contactId: string) {
    try {
      const notification = new Notification(title, { body, tag });
      notification.onclick = () => {
        window.focus();
        this.open(contactId);
        notification.close();
      };
    } catch {
      // Some browsers allow notifications only from a service worker: the title and favicon still tell.
    }
  }

  private save(on: boolean) {
    try {
      this.storage.setItem(SETTING, on ? 'on' : 'off');
    } catch {
      /* kept for this tab only */
    }
    this.enabled.set(on);
  }
}
