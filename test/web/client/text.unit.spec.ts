import { describe, expect, it } from 'vitest';
import { dayLabel, formatDuration, groupByDay } from '../../../web/src/client/message-days.js';
import { splitLinks } from '../../../web/src/client/text-links.js';

describe('splitLinks', () => {
  it('finds http(s) and www links and leaves the rest as text', () => {
    expect(splitLinks('see https://example.com/a?b=1, and www.derbel.test.')).toEqual([
      { kind: 'text', text: 'see ' },
      { kind: 'link', text: 'https://example.com/a?b=1', href: 'https://example.com/a?b=1' },
      { kind: 'text', text: ', and ' },
      { kind: 'link', text: 'www.derbel.test', href: 'https://www.derbel.test' },
      { kind: 'text', text: '.' },
    ]);
  });

  it('keeps markup as plain text and never links other schemes', () => {
    expect(splitLinks('<img src=x onerror=alert(1)> javascript:alert(1)')).toEqual([
      { kind: 'text', text: '<img src=x onerror=alert(1)> javascript:alert(1)' },
    ]);
  });

  it('keeps a parenthesis that belongs to the link', () => {
    expect(splitLinks('(https://en.wikipedia.org/wiki/Lit_(software))')[1]).toEqual({
      kind: 'link',
      text: 'https://en.wikipedia.org/wiki/Lit_(software)',
      href: 'https://en.wikipedia.org/wiki/Lit_(software)',
    });
  });
});

describe('day grouping', () => {
  const now = new Date(2024, 4, 10, 12, 0);
  it('groups consecutive messages of one local day and labels today and yesterday', () => {
    const at = (d: number, h: number) => ({ sentAt: new Date(2024, 4, d, h, 0).toISOString() });
    const groups = groupByDay([at(8, 9), at(9, 9), at(9, 22), at(10, 8)], now, 'en-GB');
    expect(groups.map((group) => [group.label, group.messages.length])).toEqual([
      [dayLabel(new Date(2024, 4, 8), now, 'en-GB'), 1],
      ['Yesterday', 2],
      ['Today', 1],
    ]);
  });

  it('formats call durations', () => {
    expect(formatDuration(5)).toBe('0:05');
    expect(formatDuration(125)).toBe('2:05');
    expect(formatDuration(3725)).toBe('1:02:05');
  });
});
