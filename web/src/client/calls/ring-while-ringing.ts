import type { DerbelClient } from '../derbel-client.js';
import { ringingFor } from '../meetings-state.js';
import type { Ringtone } from './ringtone.js';

/**
 * Plays the ringtone exactly while a call rings for the user (the incoming-call panel shows): it
 * stops when they answer or decline, or when the call ends or times out.
 */
export function ringWhileRinging(client: DerbelClient, ringtone: Ringtone): () => void {
  const update = () => {
    const me = client.me;
    const view = client.call.view.value;
    const current = view.phase === 'call' ? view.meetingId : null;
    if (me && ringingFor(client.meetings.value, me.id, current)) ringtone.start();
    else ringtone.stop();
  };
  const undo = [client.meetings.subscribe(update), client.call.view.subscribe(update), client.session.subscribe(update)];
  return () => {
    for (const off of undo) off();
    ringtone.stop();
  };
}
