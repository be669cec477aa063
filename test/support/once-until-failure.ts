/**
 * `make` run once for the process, its promise shared by every caller; forgotten if it fails, so the next
 * caller tries again instead of every later one inheriting the failure.
 */
export function onceUntilFailure<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () =>
    (made ??= make().catch((error: unknown) => {
      made = undefined;
      throw error;
    }));
}
