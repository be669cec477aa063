import { Type } from '@sinclair/typebox';
import { DomainError } from '../../domain/decider.js';
import type { AppContext } from '../app-context.js';
import { setLongTimeout } from '../lifecycle/long-timeout.js';
import type { DerbelSocket } from './socket-gateway.js';
import { validated } from './socket-payload.js';

/**
 * A socket does not outlive its access token: at its expiry the server emits `session:expired` and hangs
 * up. The app renews the token before then (`POST /api/sessions/refresh`) and hands the new one to its open
 * socket with `session:renew {token}`, which moves the expiry without a reconnect.
 */
const Renewal = Type.Object({ token: Type.String({ minLength: 1, maxLength: 4_096 }) }, { additionalProperties: false });

export function watchSessionExpiry(socket: DerbelSocket, ctx: Pick<AppContext, 'tokens' | 'sessions'>): { clear(): void } {
  const expire = () => {
    socket.emit('session:expired', { reason: 'SESSION_EXPIRED' });
    socket.disconnect(true);
  };
  let timer = setLongTimeout(expire, socket.data.expiresAt * 1000 - Date.now());
  socket.on(
    'session:renew',
    validated(Renewal, async ({ token }) => {
      let claims;
      try {
        claims = ctx.tokens.verify(token);
      } catch {
        throw new DomainError('UNAUTHORIZED', 'Not a valid session token');
      }
      // Only a renewal of this socket's own session: a token of another session or user changes nothing.
      if (claims.sessionId !== socket.data.sessionId || claims.userId !== socket.data.userId) {
        throw new DomainError('UNAUTHORIZED', 'Not a token of this session');
      }
      if (!(await ctx.sessions.isActive(claims.sessionId, { fresh: true })))
        throw new DomainError('SESSION_EXPIRED', 'The session has ended');
      socket.data.expiresAt = claims.expiresAt;
      timer.clear();
      timer = setLongTimeout(expire, claims.expiresAt * 1000 - Date.now());
      return { expiresAt: new Date(claims.expiresAt * 1000).toISOString() };
    }),
  );
  return { clear: () => timer.clear() };
}
