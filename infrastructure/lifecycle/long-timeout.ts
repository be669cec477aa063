/** Node's longest timer: a longer delay fires at once (with a TimeoutOverflowWarning). */
const MAX_DELAY_MS = 2 ** 31 - 1;

/** `setTimeout` for any delay (a 30-day session's expiry): waits longer than Node's limit are re-armed. */
export function setLongTimeout(callback: () => void, delayMs: number): { clear(): void } {
  let timer: NodeJS.Timeout;
  const arm = (remaining: number) => {
    timer = setTimeout(() => (remaining > MAX_DELAY_MS ? arm(remaining - MAX_DELAY_MS) : callback()), Math.min(remaining, MAX_DELAY_MS));
  };
  arm(Math.max(0, delayMs));
  return { clear: () => clearTimeout(timer) };
}
