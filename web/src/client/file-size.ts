/** A file size as people read it: 940 B, 12 KB, 3.4 MB (powers of 1024, as file managers show them). */
export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1).replace(/\.0$/, '') : Math.round(value)} ${units[unit]}`;
}

/** Raster images the server thumbnails and the app shows inline. */
export const isInlineImage = (contentType: string) => ['image/png', 'image/jpeg', 'image/webp', 'image/gif'].includes(contentType);
