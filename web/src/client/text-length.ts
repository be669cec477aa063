/** The longest message the server accepts, in characters (code points), as it counts them. */
export const MESSAGE_MAX_CHARACTERS = 4000;

/** Characters as the server counts them: code points, so an emoji is one, not two UTF-16 units. */
export function characterCount(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}
