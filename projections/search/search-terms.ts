/** At most this many words of a query are searched (the rest are ignored). */
export const MAX_SEARCH_TERMS = 8;
const MAX_TERM_LENGTH = 64;
const WORD = /[\p{L}\p{N}]+/gu;

/**
 * The words of what a user typed: runs of letters and digits, lower-cased, without repeats, at most
 * `MAX_SEARCH_TERMS` of `MAX_TERM_LENGTH` characters. Nothing else of the input ever reaches `to_tsquery`:
 * operators, quotes, colons and weights are separators here.
 */
export function searchTerms(input: string): string[] {
  const words = input.normalize('NFC').toLowerCase().match(WORD) ?? [];
  return [...new Set(words.map((w) => w.slice(0, MAX_TERM_LENGTH)))].slice(0, MAX_SEARCH_TERMS);
}

/**
 * The `to_tsquery` text for these words: all of them, the last one as a prefix (as-you-type). Each word
 * is quoted, and holds only letters and digits, so it is one lexeme whatever it says.
 */
export function tsqueryText(terms: readonly string[]): string {
  return terms.map((term, i) => `'${term}'${i === terms.length - 1 ? ':*' : ''}`).join(' & ');
}
