import { describe, expect, it } from 'vitest';
import { HistoryPageCache, historyPageTag } from './history-page-cache.js';

const contactId = '00000000-0000-4000-8000-000000000001';
const page = (bytes: number) => Buffer.alloc(bytes, 'x');

describe('HistoryPageCache', () => {
  it('serves a page only at the version it was read at, and forgets it at another', () => {
    const cache = new HistoryPageCache();
    cache.set({ contactId, limit: 100 }, '3.40', page(10));
    expect(cache.get({ contactId, limit: 100 }, '3.40')?.length).toBe(10);
    expect(cache.get({ contactId, limit: 50 }, '3.40')).toBeUndefined();
    expect(cache.get({ contactId, limit: 100 }, '4.41')).toBeUndefined();
    expect(cache.get({ contactId, limit: 100 }, '3.40')).toBeUndefined();
  });

  it('keeps pages of different periods apart', () => {
    const cache = new HistoryPageCache();
    cache.set({ contactId, limit: 100, periods: [{ after: 0, before: null }] }, '1.1', page(1));
    expect(
      cache.get(
        {
          contactId,
          limit: 100,
          periods: [
            { after: 0, before: 5 },
            { after: 7, before: null },
          ],
        },
        '1.1',
      ),
    ).toBeUndefined();
    expect(cache.get({ contactId, limit: 100 }, '1.1')).toBeUndefined();
    expect(historyPageTag('1.1', [{ after: 0, before: null }])).not.toBe(historyPageTag('1.1', [{ after: 3, before: null }]));
  });

  it('drops the least recently served pages past its byte budget', () => {
    const cache = new HistoryPageCache(25);
    cache.set({ contactId, limit: 1 }, 'v', page(10));
    cache.set({ contactId, limit: 2 }, 'v', page(10));
    cache.get({ contactId, limit: 1 }, 'v');
    cache.set({ contactId, limit: 3 }, 'v', page(10));
    expect(cache.get({ contactId, limit: 2 }, 'v')).toBeUndefined();
    expect(cache.get({ contactId, limit: 1 }, 'v')).toBeDefined();
    expect(cache.get({ contactId, limit: 3 }, 'v')).toBeDefined();
    cache.set({ contactId, limit: 4 }, 'v', page(26));
    expect(cache.size).toBe(2);
  });
});
