import { describe, expect, it } from 'vitest';
import { MAX_SEARCH_TERMS, searchTerms, tsqueryText } from './search-terms.js';

describe('search terms', () => {
  it('keeps only words: operators, quotes, colons and weights are separators', () => {
    expect(searchTerms(`Lunch & (dinner | !brunch) 'x':*A <-> "it's" café\\ 42`)).toEqual([
      'lunch',
      'dinner',
      'brunch',
      'x',
      'a',
      'it',
      's',
      'café',
    ]);
    expect(searchTerms('!!! ::: ')).toEqual([]);
  });

  it('drops repeats, caps the number of words and their length', () => {
    expect(searchTerms('Tea tea TEA')).toEqual(['tea']);
    expect(searchTerms(Array.from({ length: 20 }, (_, i) => `w${i}`).join(' '))).toHaveLength(MAX_SEARCH_TERMS);
    expect(searchTerms('a'.repeat(500))[0]).toHaveLength(64);
  });

  it('asks for every word, the last one as a prefix', () => {
    expect(tsqueryText(['lunch', 'tomo'])).toBe(`'lunch' & 'tomo':*`);
    expect(tsqueryText(['ab'])).toBe(`'ab':*`);
  });
});
