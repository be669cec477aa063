import { negotiate } from '@fastify/accept-negotiator';
import compress from '@fastify/compress';
import type { FastifyInstance } from 'fastify';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

/** The codings the node sends, best first; every browser takes both. */
export const ENCODINGS = ['br', 'gzip'] as const;
export type Encoding = (typeof ENCODINGS)[number];

/** Below this a response goes as it is: the coding would save less than it costs. */
export const COMPRESSION_THRESHOLD = 1024;

/**
 * Text only: JSON, HTML, scripts, styles, SVG. Never an attachment's `application/octet-stream` (a file's own
 * bytes, often compressed already) nor an event stream.
 */
const COMPRESSIBLE = /^text\/(?!event-stream)|(?:\+|\/)json(?:;|$)|^application\/javascript(?:;|$)|^image\/svg\+xml(?:;|$)/;

/**
 * Responses over a kilobyte go compressed to a client that accepts it (issue 21: a history page of 100 messages
 * is ~22 KB as JSON, ~5 KB with brotli). Brotli at quality 4, as the plugin has it: 11 costs tens of times more
 * CPU for a few percent. The answers that carry a token (signing in, a session's renewal, `/api/me`) are far under
 * the threshold and hold no text a third party chose, so BREACH has nothing to measure. Request bodies are not
 * inflated: nobody sends compressed ones, and an inflated body is one more thing to bound.
 */
export async function registerCompression(app: FastifyInstance) {
  await app.register(compress, {
    encodings: [...ENCODINGS],
    threshold: COMPRESSION_THRESHOLD,
    customTypes: COMPRESSIBLE,
    globalDecompression: false,
  });
}

/** The coding to answer an `Accept-Encoding` with, as the plugin negotiates it (`*` and `x-gzip` are gzip). */
export function negotiatedEncoding(acceptEncoding: string | undefined): Encoding | undefined {
  if (!acceptEncoding) return undefined;
  const chosen = negotiate(acceptEncoding.toLowerCase().replace(/\*|x-gzip/g, 'gzip'), [...ENCODINGS]);
  return (ENCODINGS as readonly string[]).includes(chosen as string) ? (chosen as Encoding) : undefined;
}

/** `body` in `encoding`, at the settings the plugin uses for what it compresses itself. */
export function encode(body: Buffer, encoding: Encoding): Buffer {
  return encoding === 'br' ? brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } }) : gzipSync(body);
}
