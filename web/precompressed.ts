import { compression, defineAlgorithm } from 'vite-plugin-compression2';
import { constants } from 'node:zlib';

/**
 * Each file the browser loads, written beside it as .br (brotli at its best: done once, at build) and .gz, which
 * the api server sends as they are to a browser that accepts them. Source maps are left out (production
 * refuses them).
 */
export function precompressed() {
  return compression({
    include: /\.(html|js|css|svg|json)$/,
    algorithms: [
      defineAlgorithm('brotliCompress', { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
      defineAlgorithm('gzip', { level: 9 }),
    ],
    logLevel: 'silent',
  });
}
