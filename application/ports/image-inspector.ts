import type { Readable } from 'node:stream';

export interface Thumbnail {
  /** Dimensions of the original as displayed (EXIF orientation applied). */
  width: number;
  height: number;
  thumbnail: Buffer;
  thumbnailContentType: string;
}

/** Tells what bytes really are, and makes thumbnails of images. */
export interface ImageInspector {
  /** The mime type the first bytes of a file reveal, if any. */
  sniff(head: Buffer): Promise<string | undefined>;
  /** How many first bytes `sniff` wants. */
  readonly sniffBytes: number;
  /** Reads an image; rejects when it is not one it can decode. */
  thumbnail(image: Readable): Promise<Thumbnail>;
}
