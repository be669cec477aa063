/** A piece of message text: plain, or a link to make clickable. */
export type TextPart = { kind: 'text'; text: string } | { kind: 'link'; text: string; href: string };

const LINK = /\b(?:https?:\/\/|www\.)[^\s<>"']+/gi;
const TRAILING = /[.,;:!?)\]}'"]+$/;

/** Splits text into plain parts and http(s) links. Never produces HTML: the caller renders text. */
export function splitLinks(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let last = 0;
  for (const match of text.matchAll(LINK)) {
    let raw = match[0];
    const trailing = raw.match(TRAILING)?.[0] ?? '';
    // Keep a closing parenthesis that belongs to the link, e.g. wikipedia URLs.
    const keep = trailing.startsWith(')') && raw.includes('(') ? 1 : 0;
    raw = raw.slice(0, raw.length - trailing.length + keep);
    const start = match.index ?? 0;
    if (start > last) parts.push({ kind: 'text', text: text.slice(last, start) });
    const href = raw.toLowerCase().startsWith('www.') ? `https://${raw}` : raw;
    parts.push({ kind: 'link', text: raw, href });
    last = start + raw.length;
  }
  if (last < text.length) parts.push({ kind: 'text', text: text.slice(last) });
  return parts;
}
