import { isUtf8 } from 'node:buffer';
import { fileTypeFromBuffer } from 'file-type';

/** The four image types that get dimensions, a thumbnail, stripping, and are shown inline (section 11). */
export const RASTER_IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] as const;
export type RasterImageType = (typeof RASTER_IMAGE_TYPES)[number];

export function isRasterImage(mime: string): mime is RasterImageType {
  return (RASTER_IMAGE_TYPES as readonly string[]).includes(mime);
}

/** How many leading bytes the decision reads (file-type's own sample size). */
export const SNIFF_BYTES = 4100;

/**
 * The type of a file from its first bytes, never from what the uploader says.
 * Binary formats by their magic numbers (the `file-type` package); text-based
 * ones it leaves alone (SVG, HTML, plain text) by a few signatures of our own,
 * so that an SVG or HTML page is recognised as such and served as a download.
 */
export async function detectType(head: Buffer): Promise<string> {
  const found = await fileTypeFromBuffer(head);
  if (found && found.mime !== 'application/xml') return found.mime;
  const text = asText(head);
  if (text === null) return found?.mime ?? 'application/octet-stream';
  const start = text
    .replace(/^\uFEFF/, '')
    .trimStart()
    .toLowerCase();
  if (/<svg[\s>/]/.test(start.slice(0, SNIFF_BYTES)) && !/^<!doctype html|^<html/.test(start)) {
    return 'image/svg+xml';
  }
  if (/^(<!doctype html|<html|<head|<body|<script|<iframe|<!--|<meta|<title|<div|<a\s)/.test(start)) {
    return 'text/html';
  }
  if (found) return found.mime;
  return 'text/plain';
}

/** The bytes as UTF-8 when they are text (a character cut at the end of the sample is fine); else null. */
function asText(head: Buffer): string | null {
  if (head.includes(0)) return null;
  // The sample may end inside a multi-byte character: up to three trailing bytes may be cut.
  for (let cut = 0; cut <= Math.min(3, head.length); cut++) {
    const part = head.subarray(0, head.length - cut);
    if (isUtf8(part)) return part.toString('utf8');
  }
  return null;
}
