import { DomainError } from '../decider.js';

/**
 * The one answer for a contact that does not exist and for one the caller is not a member of: a contact's
 * id is computable from its members' ids, so any difference would tell a stranger who talks to whom.
 */
export function contactNotFound(): DomainError {
  return new DomainError('CONTACT_NOT_FOUND', 'No such contact');
}
