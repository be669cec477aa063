import { createHash } from 'node:crypto';
import type { MessagePeriod } from '../../projections/messages/messages.queries.js';
import type { Encoding } from './compression.js';

/** Which page of which conversation, for which membership periods (none: the whole conversation), in which coding (none: as read). */
export interface HistoryPageKey {
  contactId: string;
  before?: string;
  after?: string;
  limit: number;
  periods?: readonly MessagePeriod[];
  encoding?: Encoding;
}

interface CachedPage {
  version: string;
  body: Buffer;
}

const DEFAULT_MAX_BYTES = 32 * 1024 * 1024;

/**
 * History pages this node served (issue 21: the newest page is read at every open of a conversation), as the
 * bytes it sent, each with the conversation's version (`message_versions`) it was read at. A page is served
 * again only while the conversation's version, read from PostgreSQL on every request, is still that one: any
 * message event of the conversation moves it in the same transaction as the rows, so no node ever serves a
 * page older than the read model, whichever node or projection leader wrote it. Pages are the same for every
 * reader with the same periods; who may read them is checked on every request, before. The least recently
 * served pages go first past `maxBytes`.
 */
export class HistoryPageCache {
  private readonly pages = new Map<string, CachedPage>();
  private bytes = 0;

  constructor(private readonly maxBytes = DEFAULT_MAX_BYTES) {}

  /** The page as served at `version`, if this node has it. */
  get(key: HistoryPageKey, version: string): Buffer | undefined {
    const id = idOf(key);
    const page = this.pages.get(id);
    if (!page) return undefined;
    this.pages.delete(id);
    if (page.version !== version) {
      this.bytes -= page.body.length;
      return undefined;
    }
    this.pages.set(id, page); // most recently served last
    return page.body;
  }

  set(key: HistoryPageKey, version: string, body: Buffer) {
    if (body.length > this.maxBytes) return;
    const id = idOf(key);
    const old = this.pages.get(id);
    if (old) {
      this.pages.delete(id);
      this.bytes -= old.body.length;
    }
    this.pages.set(id, { version, body });
    this.bytes += body.length;
    for (const [oldest, page] of this.pages) {
      if (this.bytes <= this.maxBytes) break;
      this.pages.delete(oldest);
      this.bytes -= page.body.length;
    }
  }

  get size() {
    return this.pages.size;
  }
}

function idOf({ contactId, before, after, limit, periods, encoding }: HistoryPageKey): string {
  return `${contactId} ${before ?? ''} ${after ?? ''} ${limit} ${periodsText(periods)} ${encoding ?? ''}`;
}

const periodsText = (periods?: readonly MessagePeriod[]) =>
  periods ? periods.map((p) => `${p.after}-${p.before ?? ''}`).join(',') : 'all';

/**
 * The page's entity tag: its conversation's version and the periods it is cut to (the URL gives the rest).
 * Equal tags, equal bodies, whoever asks; the route still checks that the asker may read it.
 */
export function historyPageTag(version: string, periods?: readonly MessagePeriod[]): string {
  if (!periods) return `"${version}"`;
  return `"${version}-${createHash('sha1').update(periodsText(periods)).digest('base64url').slice(0, 12)}"`;
}
