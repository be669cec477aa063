import { describe, expect, it } from 'vitest';
import { isInternalAddress } from './http-metrics.js';

describe('isInternalAddress (who may read /metrics)', () => {
  it.each(['127.0.0.1', '::1', '::ffff:127.0.0.1', '10.2.3.4', '172.16.0.1', '172.31.255.255', '192.168.1.9', 'fd00::1'])(
    'allows %s',
    (ip) => expect(isInternalAddress(ip)).toBe(true),
  );
  it.each(['8.8.8.8', '172.32.0.1', '172.15.0.1', '193.168.1.1', '2001:db8::1', '::ffff:8.8.8.8'])('refuses %s', (ip) =>
    expect(isInternalAddress(ip)).toBe(false),
  );
});
