import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

/** Where the web app's full emoji picker reads its data: our own origin, never a CDN. */
export const EMOJI_DATA_PATH = '/emoji/data.json';

/** Serves `emoji-picker-element-data` (English, emojibase) for the reaction picker; the embeds fetch it cross-origin (CORS). */
export async function registerEmojiData(app: FastifyInstance) {
  const file = createRequire(import.meta.url).resolve('emoji-picker-element-data/en/emojibase/data.json');
  await app.register(fastifyStatic, {
    root: dirname(file),
    prefix: '/emoji/',
    decorateReply: false,
    wildcard: false,
    allowedPath: (path) => path === '/data.json',
    maxAge: '1d',
  });
}
