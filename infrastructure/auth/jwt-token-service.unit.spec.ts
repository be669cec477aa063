import { afterEach, describe, expect, it, vi } from 'vitest';
import { JwtTokenService } from './jwt-token-service.js';

describe('JwtTokenService', () => {
  afterEach(() => vi.useRealTimers());
  const ids = { userId: '2d1c6f0e-3c1a-4a57-9d59-1a2b3c4d5e6f', sessionId: '7a0f3c1e-5b2d-4c3a-8e9f-0a1b2c3d4e5f' };

  it('verifies its own tokens, again and again, with the same claims', () => {
    const tokens = new JwtTokenService('s'.repeat(48), 3600);
    const { token, expiresAt } = tokens.issue(ids);
    const first = tokens.verify(token);
    expect(first).toEqual({ userId: ids.userId, sessionId: ids.sessionId, expiresAt: expiresAt.getTime() / 1000 });
    expect(tokens.verify(token)).toEqual(first);
  });

  it('refuses a token once it has expired, even one it verified before', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-01-01T00:00:00Z'));
    const tokens = new JwtTokenService('s'.repeat(48), 60);
    const { token } = tokens.issue(ids);
    expect(tokens.verify(token).userId).toBe(ids.userId);
    vi.setSystemTime(new Date('2026-01-01T00:01:01Z'));
    expect(() => tokens.verify(token)).toThrow();
  });

  it('refuses a token signed with another secret or altered', () => {
    const tokens = new JwtTokenService('s'.repeat(48), 3600);
    const { token } = tokens.issue(ids);
    tokens.verify(token);
    const other = new JwtTokenService('t'.repeat(48), 3600);
    expect(() => other.verify(token)).toThrow();
    const [header, payload, signature] = token.split('.');
    const altered = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), sub: 'someone-else' }),
    ).toString('base64url');
    expect(() => tokens.verify(`${header}.${altered}.${signature}`)).toThrow();
  });
});
