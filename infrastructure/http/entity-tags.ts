/** Whether an `If-None-Match` header lists `tag` (weak or strong, as RFC 9110's weak comparison has it). */
export function namesTag(ifNoneMatch: string | undefined, tag: string): boolean {
  if (!ifNoneMatch) return false;
  const bare = tag.replace(/^W\//, '');
  return ifNoneMatch.split(',').some((listed) => listed.trim().replace(/^W\//, '') === bare);
}
