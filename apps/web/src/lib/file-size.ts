/** "812 bytes", "14 KB", "3.2 MB": a file's size as people read it (1 KB = 1024 bytes). */
export function formatFileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} ${bytes === 1 ? 'byte' : 'bytes'}`;
  const kb = bytes / 1024;
  if (kb < 1024) return `${Math.round(kb)} KB`;
  const mb = kb / 1024;
  return `${mb < 10 ? mb.toFixed(1) : Math.round(mb)} MB`;
}

/** The four image types the server gives dimensions and a thumbnail (section 11). */
export function isPreviewableImage(type: string): boolean {
  return /^image\/(png|jpeg|gif|webp)$/u.test(type);
}

/**
 * The box an image is shown in at its aspect ratio: at most `maxWidth` x `maxHeight`,
 * never bigger than twice its own size.
 */
export function fitBox(
  width: number,
  height: number,
  maxWidth: number,
  maxHeight: number,
): { width: number; height: number } {
  const scale = Math.min(maxWidth / width, maxHeight / height, 2);
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}
