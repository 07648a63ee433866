import { useCallback } from 'react';

/**
 * A ref for an `<img>` that shows `blob` through a `blob:` URL, made when the image is attached
 * and revoked when it goes (or the blob changes).
 */
export function useBlobImage(
  blob: Blob | undefined,
): (image: HTMLImageElement | null) => (() => void) | void {
  return useCallback(
    (image: HTMLImageElement | null) => {
      if (!image || !blob) return;
      const url = URL.createObjectURL(blob);
      image.src = url;
      return () => URL.revokeObjectURL(url);
    },
    [blob],
  );
}
