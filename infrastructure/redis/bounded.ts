/** How long a Redis call on a request path may take before the request goes on without it. */
export const REDIS_REQUEST_TIMEOUT_MS = 300;

/**
 * `call`'s answer, or `fallback` once `ms` have passed. ioredis queues commands while Redis is away and
 * waits forever for an answer from a Redis that hangs; a request must not wait with it.
 */
export function bounded<T>(call: Promise<T>, fallback: T, options: { ms?: number; onTimeout?: () => void } = {}): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      options.onTimeout?.();
      resolve(fallback);
    }, options.ms ?? REDIS_REQUEST_TIMEOUT_MS);
    call.then(
      (value) => (clearTimeout(timer), resolve(value)),
      (error) => (clearTimeout(timer), reject(error)),
    );
  });
}
