/** Waits `ms`. For pacing and for time that must pass (a token's expiry); never to wait for a result: use `eventually`. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Polls `probe` until it returns something truthy (and returns that), or fails after `timeoutMs` with `message`
 * and the probe's last error. The one way tests wait for something to happen.
 */
export async function eventually<T>(
  probe: () => T | Promise<T>,
  { timeoutMs = 5_000, intervalMs = 20, message }: { timeoutMs?: number; intervalMs?: number; message?: string } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      if (message === undefined) throw lastError ?? new Error('condition not met in time');
      throw new Error(`${message} (not within ${timeoutMs} ms)${lastError === undefined ? '' : `: ${String(lastError)}`}`, {
        cause: lastError,
      });
    }
    await sleep(intervalMs);
  }
}
