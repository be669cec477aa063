import { createHmac } from 'node:crypto';

export interface IceServer {
  urls: string[];
  username?: string;
  credential?: string;
}

export interface IceServerSettings {
  stunUrls: string[];
  turnUrls: string[];
  turnSecret: string | undefined;
  turnTtlSeconds: number;
  iceTransportPolicy: 'all' | 'relay';
}

/**
 * The ICE servers a client should use. TURN credentials follow coturn's REST API (`use-auth-secret`):
 * `username = <unix expiry>:<userId>`, `credential = base64(HMAC-SHA1(secret, username))`, so coturn can
 * check them with the shared secret alone and they stop working after `ttl` seconds. `iceTransportPolicy`
 * is the browsers' `RTCConfiguration` setting (`relay`: TURN only).
 */
export function iceServersFor(
  userId: string,
  settings: IceServerSettings,
  now: Date,
): { iceServers: IceServer[]; ttl: number; iceTransportPolicy: 'all' | 'relay' } {
  const iceServers: IceServer[] = [];
  if (settings.stunUrls.length > 0) iceServers.push({ urls: [...settings.stunUrls] });
  if (settings.turnUrls.length > 0 && settings.turnSecret) {
    const expiry = Math.floor(now.getTime() / 1000) + settings.turnTtlSeconds;
    const username = `${expiry}:${userId}`;
    const credential = createHmac('sha1', settings.turnSecret).update(username).digest('base64');
    iceServers.push({ urls: [...settings.turnUrls], username, credential });
  }
  return { iceServers, ttl: settings.turnTtlSeconds, iceTransportPolicy: settings.iceTransportPolicy };
}
