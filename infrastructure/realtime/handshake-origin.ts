import type { IncomingMessage } from 'node:http';

/**
 * Socket.io's `allowRequest` (its handshake, by polling or WebSocket): a browser page may open a socket only
 * from this app's own origin or one of `CORS_ORIGINS`, matched exactly. A request without an `Origin` comes
 * from no page (a Node or native client, or a same-origin polling GET) and carries no ambient credential a
 * foreign page could ride: the handshake's own authentication decides.
 */
export function allowPageOrigins(corsOrigins: readonly string[]) {
  const allowed = new Set(corsOrigins);
  return (request: IncomingMessage, callback: (error: string | null | undefined, success: boolean) => void) => {
    const origin = request.headers.origin;
    const ok = origin === undefined || allowed.has(origin) || isOwnOrigin(origin, request.headers.host);
    callback(ok ? null : 'origin not allowed', ok);
  };
}

/** The page was served by this app: same host and port as the request (the scheme may be a proxy's). */
function isOwnOrigin(origin: string, host: string | undefined): boolean {
  if (!host || !/^https?:\/\//.test(origin)) return false;
  try {
    const url = new URL(origin);
    return url.origin === origin && url.host === host;
  } catch {
    return false;
  }
}
