import { isIP } from 'node:net';

/** Named ranges proxy-addr (Fastify's `trustProxy`) understands. */
const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

export const PROXY_ADDRESS_DESCRIPTION = 'an IP address, a CIDR such as 172.30.0.0/24, or loopback, linklocal, uniquelocal';

/** One entry of `TRUST_PROXY`. */
export function isProxyAddress(value: string): boolean {
  if (NAMED_RANGES.has(value)) return true;
  const [address, prefix, ...rest] = value.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128);
}
