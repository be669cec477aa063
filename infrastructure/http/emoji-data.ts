import type { FastifyInstance } from 'fastify';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { negotiatedEncoding, type Encoding } from './compression.js';
import { namesTag } from './entity-tags.js';

/** Where the web app's full emoji picker reads its data: our own origin, never a CDN. */
export const EMOJI_DATA_PATH = '/emoji/data.json';

const ONE_DAY_SECONDS = 86_400;

/** As the web build compresses the app's files (`web/precompressed.ts`): the data never changes while a node runs. */
const compress: Record<Encoding, (body: Buffer) => Promise<Buffer>> = {
  br: (body) =>
    promisify(brotliCompress)(body, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length },
    }),
  gzip: (body) => promisify(gzip)(body, { level: 9 }),
};

/**
 * Serves `emoji-picker-element-data` (English, emojibase, 440 KB) for the reaction picker; the embeds fetch it
 * cross-origin (CORS). Each coding is made once, off the event loop, when first asked for, and kept: compressed
 * per request it cost a node 6–25 ms of CPU each time a browser's full picker first opened.
 */
export async function registerEmojiData(app: FastifyInstance) {
  const body = await readFile(createRequire(import.meta.url).resolve('emoji-picker-element-data/en/emojibase/data.json'));
  const tag = `"${createHash('sha1').update(body).digest('base64url')}"`;
  const coded = new Map<Encoding, Promise<Buffer>>();
  const inEncoding = (encoding: Encoding) => {
    let made = coded.get(encoding);
    if (!made) {
      made = compress[encoding](body);
      coded.set(encoding, made);
      // A failure is not kept: the next request tries again.
      made.catch(() => coded.delete(encoding));
    }
    return made;
  };
  app.get(EMOJI_DATA_PATH, async (request, reply) => {
    reply
      .header('cache-control', `public, max-age=${ONE_DAY_SECONDS}`)
      .header('vary', 'accept-encoding')
      .header('etag', tag)
      .type('application/json; charset=utf-8');
    if (namesTag(request.headers['if-none-match'], tag)) return reply.code(304).send();
    const encoding = negotiatedEncoding(request.headers['accept-encoding']);
    if (!encoding) return reply.send(body);
    return reply.header('content-encoding', encoding).send(await inEncoding(encoding));
  });
}
