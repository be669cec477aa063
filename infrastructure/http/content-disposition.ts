/**
 * `Content-Disposition` for a user-named file (RFC 6266): an ASCII `filename` for old clients and the exact
 * name as `filename*=UTF-8''…` (RFC 8187). Quotes, backslashes and anything non-ASCII never reach the
 * quoted fallback.
 */
export function contentDisposition(type: 'inline' | 'attachment', name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${type}; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
