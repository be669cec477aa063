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
 * Brotli's quality for what the node compresses as it answers. On a history page of 100 messages (28.6 KB):
 * quality 2 gives 2,893 B in ~83 µs, the plugin's default 4 gives 2,873 B in ~167 µs, 11 costs milliseconds;
 * JSON this repetitive gains nothing from more.
 */
const BROTLI_QUALITY = 2;

/**
 * Text only: JSON, HTML, scripts, styles, SVG. Never an attachment's `application/octet-stream` (a file's own
 * bytes, often compressed already) nor an event stream.
 */
const COMPRESSIBLE = /^text\/(?!event-stream)|(?:\+|\/)json(?:;|$)|^application\/javascript(?:;|$)|^image\/svg\+xml(?:;|$)/;

/**
 * Responses over a kilobyte go compressed to a client that accepts it (issue 21: a history page of 100 messages
 * is ~22 KB as JSON, ~3 KB with brotli). The answers that carry a token (signing in, a session's renewal,
 * `/api/me`) are far under the threshold and hold no text a third party chose, so BREACH has nothing to measure.
 * Request bodies are not inflated: nobody sends compressed ones, and an inflated body is one more thing to bound.
 */
export async function registerCompression(app: FastifyInstance) {
  await app.register(compress, {
    encodings: [...ENCODINGS],
    threshold: COMPRESSION_THRESHOLD,
    customTypes: COMPRESSIBLE,
    globalDecompression: false,
    brotliOptions: { params: { [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY } },
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
  if (encoding === 'gzip') return gzipSync(body);
  return brotliCompressSync(body, {
    params: { [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY, [constants.BROTLI_PARAM_SIZE_HINT]: body.length },
  });
}
