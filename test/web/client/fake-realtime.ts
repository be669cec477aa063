import { Emitter, Observable } from '../../../web/src/client/observable.js';
import type { ConnectionState, Realtime, RealtimeEvents } from '../../../web/src/client/transport/realtime.js';

/** The live channel, driven by the test: `push` delivers what the server would, `emitted` records what the client sent. */
export class FakeRealtime implements Realtime {
  readonly state = new Observable<ConnectionState>('closed');
  readonly emitted: Array<[string, unknown]> = [];
  private emitter = new Emitter<RealtimeEvents>();
  on<K extends keyof RealtimeEvents>(type: K, listener: (payload: RealtimeEvents[K]) => void) {
    return this.emitter.on(type, listener);
  }
  push<K extends keyof RealtimeEvents>(type: K, payload: RealtimeEvents[K]) {
    this.emitter.emit(type, payload);
  }
  emit(type: string, data: unknown) {
    this.emitted.push([type, data]);
  }
  request<T>(): Promise<T> {
    return Promise.reject(new Error('not in this test'));
  }
  connect() {
    this.state.set('online');
  }
  close() {
    this.state.set('closed');
  }
}
