import { Emitter, Observable } from '../observable.js';
import type { IncomingSignal, ServerEvent } from '../types.js';
import type { FeedPage } from '../sync/feed-sync.js';

/**
 * `connecting`: first attempt; `online`; `reconnecting`: lost, socket.io is retrying;
 * `closed`: signed out or the session ended.
 */
export type ConnectionState = 'connecting' | 'online' | 'reconnecting' | 'closed';

export type RealtimeEvents = {
  /**
   * Every (re)connection: time to catch up. `missed`, when the handshake named the feed's position: the page the
   * server sends of what came after it, or null when it did not (then ask `GET /api/events`).
   */
  connected: { reconnect: boolean; missed?: Promise<FeedPage | null> };
  event: ServerEvent;
  signal: IncomingSignal;
  /**
   * The connection is about to be lost on purpose: a draining node is moving this socket to another one and
   * asked it back at once (emitted just before the state turns `reconnecting`; a blip, not an outage).
   */
  moving: Record<string, never>;
  /** The server ended this session (`session:expired`) or refused the handshake (`UNAUTHORIZED`). */
  unauthorized: { reason: string };
};

/** The live channel to the server; `socket-connection.ts` is the Socket.io one, tests pass a fake. */
export interface Realtime {
  readonly state: Observable<ConnectionState>;
  on<K extends keyof RealtimeEvents>(type: K, listener: (payload: RealtimeEvents[K]) => void): () => void;
  /** Fire and forget (`typing`, `signal`, `meeting:media`, `meeting:leave`). */
  emit(type: string, data: unknown): void;
  /** An emit the server acknowledges (`meeting:join`). Rejects on timeout or when offline. */
  request<T>(type: string, data: unknown, timeoutMs?: number): Promise<T>;
  connect(): void;
  close(): void;
  /** The session's access token was renewed: the open connection carries on with it. */
  renew?(token: string): void;
}

/** A Realtime that does nothing: before sign-in, and for tests of the REST side alone. */
export class OfflineRealtime implements Realtime {
  readonly state = new Observable<ConnectionState>('closed');
  private emitter = new Emitter<RealtimeEvents>();
  on<K extends keyof RealtimeEvents>(type: K, listener: (payload: RealtimeEvents[K]) => void) {
    return this.emitter.on(type, listener);
  }
  emit() {}
  request<T>(): Promise<T> {
    return Promise.reject(new Error('Not connected'));
  }
  connect() {}
  close() {}
}
