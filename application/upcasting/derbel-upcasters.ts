import { UpcasterRegistry } from './upcaster-registry.js';

/**
 * The product's upcasters. Every event type is still at version 1, so there is nothing to register yet.
 * When an event's shape changes: change its type in domain/, register `{ type, fromVersion: 1, upcast }`
 * here; readers then only see version 2, and the upcasting store stamps new events with version 2.
 */
export function derbelUpcasters(): UpcasterRegistry {
  return new UpcasterRegistry([]);
}
