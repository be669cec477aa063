import { v5 as uuidv5 } from 'uuid';

const DIRECT_CONTACT_NAMESPACE = '6f1c3c56-7d1e-4a0b-9a55-1f0c2b7d9e41';

/**
 * A direct contact's id is derived from its two members, so the `contact-<id>` stream itself (appended with
 * "no stream") guarantees one direct contact per pair, whichever of the two adds the other first.
 */
export function directContactId(a: string, b: string): string {
  return uuidv5([a, b].sort().join(':'), DIRECT_CONTACT_NAMESPACE);
}
