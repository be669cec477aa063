import { Type } from '@sinclair/typebox';
import { validated } from './socket-payload.js';

/**
 * Client → server `probe {}`, answered `{ ok: true }` at once (one listener shared by every socket). The web
 * client asks when the device's network comes back while its socket still looks open: after a move to another
 * network that socket may lead nowhere, which the heartbeat would only notice up to 25 s later.
 */
export const PROBE_EVENT = 'probe';

export const answerProbe = validated(Type.Object({}, { additionalProperties: false }), async () => undefined);
