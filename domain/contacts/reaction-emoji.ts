import { DomainError } from '../decider.js';

/** A reaction is one emoji: a single grapheme of at most this many UTF-16 units (flags and ZWJ families fit). */
export const REACTION_EMOJI_MAX_LENGTH = 32;
/** Distinct emoji one message may carry. */
export const REACTIONS_PER_MESSAGE_MAX = 20;

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const PICTOGRAPHIC = /\p{Extended_Pictographic}|\p{Regional_Indicator}/u;
// Letters, digits, punctuation, spaces and controls never belong in an emoji grapheme (keycaps like 1️⃣ aside).
const FORBIDDEN = /[\p{L}\p{N}\p{P}\p{Z}\p{Cc}]/u;
const KEYCAP = /^[0-9#*]\uFE0F?\u20E3$/u;

export function isReactionEmoji(emoji: string): boolean {
  if (emoji.length === 0 || emoji.length > REACTION_EMOJI_MAX_LENGTH) return false;
  const graphemes = [...segmenter.segment(emoji)];
  if (graphemes.length !== 1) return false;
  if (KEYCAP.test(emoji)) return true;
  return PICTOGRAPHIC.test(emoji) && !FORBIDDEN.test(emoji);
}

export function assertReactionEmoji(emoji: string): void {
  if (!isReactionEmoji(emoji)) throw new DomainError('INVALID_REACTION', 'A reaction is a single emoji');
}
