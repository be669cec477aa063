import { UpcasterRegistry } from './upcaster-registry.js';

/**
 * The product's upcasters. Every event type is still at version 1, so there is nothing to register yet.
 * When an event's shape changes: register `{ type, fromVersion: 1, upcast }` here (deciders and
 * projections then only see version 2), and make the command handler stamp `currentVersion(type)`.
 */
export function derbelUpcasters(): UpcasterRegistry {
  return new UpcasterRegistry([]);
}
