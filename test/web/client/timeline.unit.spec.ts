import { describe, expect, it } from 'vitest';
import type { ShownMessage } from '../../../web/src/client/state/conversation-state.js';
import { timeline } from '../../../web/src/client/timeline.js';
import type { CallRecord } from '../../../web/src/client/types.js';
import { bob, message } from './fixtures.js';

const shown = (id: string, minute: number, status: ShownMessage['status'] = 'sent'): ShownMessage => ({
  ...message(id, bob.id, id, `2024-05-01T10:${String(minute).padStart(2, '0')}:00.000Z`),
  status,
});
const call = (meetingId: string, minute: number, contactId = 'c1'): CallRecord => ({
  meetingId,
  contactId,
  peer: bob,
  direction: 'incoming',
  outcome: 'missed',
  startedAt: `2024-05-01T10:${String(minute).padStart(2, '0')}:30.000Z`,
  endedAt: `2024-05-01T10:${String(minute).padStart(2, '0')}:45.000Z`,
  durationSeconds: 0,
});

describe('conversation timeline', () => {
  it('weaves this contact’s calls between messages by time, before unsent messages', () => {
    const items = timeline(
      [shown('m1', 1), shown('m2', 5), shown('m3', 6, 'pending')],
      [call('g2', 7), call('g1', 2), call('gx', 3, 'c9')],
      'c1',
      false,
    );
    expect(items.map((item) => item.id)).toEqual(['m1', 'g1', 'm2', 'g2', 'm3']);
  });

  it('keeps calls older than the loaded history out until that page is loaded', () => {
    expect(timeline([shown('m5', 5)], [call('g1', 1)], 'c1', true).map((item) => item.id)).toEqual(['m5']);
    expect(timeline([shown('m5', 5)], [call('g1', 1)], 'c1', false).map((item) => item.id)).toEqual(['g1', 'm5']);
  });
});
