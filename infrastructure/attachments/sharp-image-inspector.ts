import type { Readable } from 'node:stream';
import type { ImageInspector, Thumbnail } from '../../application/ports/image-inspector.js';

/** Loaded at the first file or image, not at every start (together a sixth of a second of it). */
let libraries: Promise<[typeof import('file-type'), typeof import('sharp')]> | undefined;
const load = () => (libraries ??= Promise.all([import('file-type'), import('sharp')]));

const THUMBNAIL_SIZE = 320;
/** Decoding a 40-megapixel image takes ~160 MB; larger ones (or decompression bombs) are refused. */
const MAX_PIXELS = 40_000_000;

/** Sniffing with `file-type`; thumbnails (at most 320 px, WebP) with `sharp`. */
export class SharpImageInspector implements ImageInspector {
  readonly sniffBytes = 4100;

  async sniff(head: Buffer): Promise<string | undefined> {
    const [{ fileTypeFromBuffer }] = await load();
    return (await fileTypeFromBuffer(head))?.mime;
  }

  async thumbnail(image: Readable): Promise<Thumbnail> {
    const [, { default: sharp }] = await load();
    // sharp reads the encoded image whole (bounded by ATTACHMENT_MAX_BYTES) before decoding it.
    const input = sharp({ limitInputPixels: MAX_PIXELS, failOn: 'error' });
    image.once('error', (error) => input.destroy(error));
    image.pipe(input);
    const [metadata, thumbnail] = await Promise.all([
      input.clone().metadata(),
      input
        .clone()
        .rotate()
        .resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: 'inside', withoutEnlargement: true })
        .webp({ quality: 75 })
        .toBuffer(),
    ]);
    if (!metadata.width || !metadata.height) throw new Error('the image has no size');
    // EXIF orientations 5-8 turn the image a quarter: shown, it is as wide as it is stored high.
    const turned = (metadata.orientation ?? 1) >= 5;
    return {
      width: turned ? metadata.height : metadata.width,
      height: turned ? metadata.width : metadata.height,
      thumbnail,
      thumbnailContentType: 'image/webp',
    };
  }
}
