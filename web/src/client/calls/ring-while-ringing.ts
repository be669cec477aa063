import { nextRingDeadline, ringingFor } from '../state/meetings-state.js';
import type { CallClient } from './call-client.js';
import type { CallController } from './call-controller.js';
import type { Ringtone } from './ringtone.js';

type RingingClient = Pick<CallClient, 'me' | 'meetings' | 'session'> & { readonly call: Pick<CallController, 'view'> };

/**
 * Plays the ringtone exactly while a call rings for the user (the incoming-call panel shows): it
 * stops when they answer or decline, or when the call ends or times out.
 */
export function ringWhileRinging(client: RingingClient, ringtone: Ringtone): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const update = () => {
    const me = client.me;
    const view = client.call.view.value;
    const current = view.phase === 'call' ? view.meetingId : null;
    if (me && ringingFor(client.meetings.value, me.id, current)) ringtone.start();
    else ringtone.stop();
    // A group call that others answered stops ringing at its deadline, which no event announces.
    if (timer) clearTimeout(timer);
    const deadline = nextRingDeadline(client.meetings.value);
    timer = deadline === null ? null : setTimeout(update, deadline - Date.now() + 50);
  };
  const undo = [client.meetings.subscribe(update), client.call.view.subscribe(update), client.session.subscribe(update)];
  return () => {
    for (const off of undo) off();
    if (timer) clearTimeout(timer);
    ringtone.stop();
  };
}
