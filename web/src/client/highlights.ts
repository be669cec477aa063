/** A run of a search snippet's text, highlighted or not. */
export type Segment = { text: string; highlighted: boolean };

/**
 * Cuts a snippet's text at its highlight offsets (`[start, end)`, UTF-16), for rendering the matches in
 * elements of our own: the text stays text. Ranges out of bounds are clipped, overlapping ones merged,
 * empty or reversed ones dropped.
 */
export function highlightSegments(text: string, highlights: ReadonlyArray<readonly [number, number]>): Segment[] {
  const ranges = highlights
    .map(([start, end]) => [Math.max(0, start), Math.min(text.length, end)] as const)
    .filter(([start, end]) => end > start)
    .sort((a, b) => a[0] - b[0]);
  const segments: Segment[] = [];
  let at = 0;
  for (const [start, end] of ranges) {
    if (end <= at) continue;
    const from = Math.max(start, at);
    if (from > at) segments.push({ text: text.slice(at, from), highlighted: false });
    const last = segments[segments.length - 1];
    if (last?.highlighted && from === at) last.text += text.slice(from, end);
    else segments.push({ text: text.slice(from, end), highlighted: true });
    at = end;
  }
  if (at < text.length) segments.push({ text: text.slice(at), highlighted: false });
  return segments;
}
