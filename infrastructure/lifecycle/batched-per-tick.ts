/**
 * Calls made during one turn of the event loop, answered by one `run` at its end (setImmediate): a reconnect
 * storm's handshakes, each arriving in its own I/O callback, share one round trip instead of one each.
 * `run` answers every input, in order; a rejected `run` rejects every call of its batch.
 */
export function batchedPerTick<I, O>(run: (inputs: I[]) => Promise<Array<PromiseSettledResult<O>>>): (input: I) => Promise<O> {
  let pending: Array<{ input: I; resolve(value: O): void; reject(reason: unknown): void }> = [];
  const flush = () => {
    const batch = pending;
    pending = [];
    let answered: ReturnType<typeof run>;
    try {
      answered = run(batch.map((call) => call.input));
    } catch (err) {
      answered = Promise.reject(err);
    }
    answered.then(
      (results) =>
        batch.forEach((call, i) => {
          const result = results[i];
          if (result?.status === 'fulfilled') call.resolve(result.value);
          else call.reject(result ? result.reason : new Error('batch: no answer'));
        }),
      (err) => batch.forEach((call) => call.reject(err)),
    );
  };
  return (input) =>
    new Promise<O>((resolve, reject) => {
      if (pending.push({ input, resolve, reject }) === 1) setImmediate(flush);
    });
}
