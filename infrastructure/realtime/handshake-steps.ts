/** The parts of a socket connect, timed one by one (`derbel_socket_handshake_step_seconds`, `npm run bench handshake`). */
export type HandshakeStep = 'token' | 'session' | 'presence';
export type HandshakeStepObserver = (step: HandshakeStep, seconds: number) => void;

/** Runs `work` and reports how long it took (also when it fails). */
export async function timedStep<T>(
  observe: HandshakeStepObserver | undefined,
  step: HandshakeStep,
  work: () => T | Promise<T>,
): Promise<T> {
  if (!observe) return work();
  const started = performance.now();
  try {
    return await work();
  } finally {
    observe(step, (performance.now() - started) / 1000);
  }
}
