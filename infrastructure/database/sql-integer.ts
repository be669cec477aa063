/** An integer inlined into SQL text (simple queries take no parameters), so it must be a plain integer. */
export function sqlInteger(n: number): string {
  if (!Number.isSafeInteger(n)) throw new TypeError(`not an integer: ${n}`);
  return String(n);
}
