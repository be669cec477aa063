import { DomainError } from '../decider.js';
import type { Conversation } from './contact.js';

/** Whether `userId` is one of the conversation's current members: a set lookup in a group, however large. */
export function isMember(conversation: Conversation, userId: string): boolean {
  return conversation.kind === 'group' ? conversation.members.has(userId) : conversation.members.includes(userId);
}

/** The current members: a direct conversation's pair, or a group's members in the order they joined. */
export function currentMembers(conversation: Conversation): readonly string[] {
  return conversation.kind === 'group' ? [...conversation.members] : conversation.members;
}

/** The application answers it as "not found", so a non-member or former member learns nothing. */
export function notAMember(): DomainError {
  return new DomainError('NOT_A_MEMBER', 'Not a member of this contact');
}
