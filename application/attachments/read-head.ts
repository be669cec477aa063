import { Readable } from 'node:stream';

/**
 * Reads the first `bytes` of a stream (fewer when it ends sooner) and gives back a stream of the whole of it,
 * those bytes first: a look at the head without buffering the rest.
 */
export async function readHead(source: Readable, bytes: number): Promise<{ head: Buffer; whole: Readable }> {
  const iterator = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const chunks: Buffer[] = [];
  let length = 0;
  let done = false;
  while (length < bytes) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    chunks.push(next.value);
    length += next.value.length;
  }
  const head = Buffer.concat(chunks);
  async function* rest() {
    if (head.length > 0) yield head;
    if (done) return;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  }
  const whole = Readable.from(rest(), { objectMode: false });
  // Destroying the whole stream (a failed put) stops reading the source too.
  whole.once('close', () => {
    if (!whole.readableEnded) source.destroy();
  });
  return { head: head.subarray(0, bytes), whole };
}
