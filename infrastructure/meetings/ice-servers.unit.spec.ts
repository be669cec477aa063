import { describe, expect, it } from 'vitest';
import { iceServersFor } from './ice-servers.js';

const now = new Date('2030-01-01T10:00:00Z');
const stunOnly = {
  stunUrls: ['stun:stun.example.com:3478'],
  turnUrls: [],
  turnSecret: undefined,
  turnTtlSeconds: 3600,
  iceTransportPolicy: 'all' as const,
};

describe('ICE servers', () => {
  it('gives STUN only when no TURN server is configured', () => {
    expect(iceServersFor('user-1', stunOnly, now)).toEqual({
      iceServers: [{ urls: ['stun:stun.example.com:3478'] }],
      ttl: 3600,
      iceTransportPolicy: 'all',
    });
  });

  it('adds TURN with coturn REST-API credentials: expiry:userId and base64 HMAC-SHA1 of it', () => {
    const settings = {
      ...stunOnly,
      turnUrls: ['turn:turn.example.com:3478?transport=udp', 'turns:turn.example.com:5349'],
      turnSecret: 'turn-shared-secret',
    };
    const { iceServers, ttl } = iceServersFor('user-1', settings, now);
    expect(ttl).toBe(3600);
    expect(iceServers[1]).toEqual({
      urls: ['turn:turn.example.com:3478?transport=udp', 'turns:turn.example.com:5349'],
      username: '1893495600:user-1', // 2030-01-01T11:00:00Z, one TTL from now
      // printf '1893495600:user-1' | openssl dgst -sha1 -hmac turn-shared-secret -binary | base64
      credential: '6XAeQbxP4JrgPl4r77/bvVXz6cE=',
    });
  });

  it('passes the configured ICE transport policy on to the browser', () => {
    expect(iceServersFor('user-1', { ...stunOnly, iceTransportPolicy: 'relay' }, now).iceTransportPolicy).toBe('relay');
  });

  it('needs the secret as well as the URLs for TURN', () => {
    expect(iceServersFor('user-1', { ...stunOnly, turnUrls: ['turn:turn.example.com'] }, now).iceServers).toHaveLength(1);
  });
});
