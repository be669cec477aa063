import { describe, expect, it } from 'vitest';
import { textFingerprint } from './message-text.js';

describe('text fingerprint', () => {
  it('is the same for the same text and differs for nearby texts', () => {
    expect(textFingerprint('hello')).toBe(textFingerprint('hello'));
    const variants = ['hello', 'hello ', 'Hello', 'hellp', 'olleh', '', ' ', 'hello\n', '🙂', '🙃'];
    expect(new Set(variants.map(textFingerprint)).size).toBe(variants.length);
  });

  it('is a safe integer', () => {
    expect(Number.isSafeInteger(textFingerprint('x'.repeat(4000)))).toBe(true);
  });
});
