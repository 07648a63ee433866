import { useEffect, useId, useState } from 'react';
import type { Attachment } from '@chat/protocol';
import { ModalDialog } from '../ui/modal-dialog';
import { ChevronLeftIcon, ChevronRightIcon, CloseIcon } from '../ui/icons';

interface PhotoViewerProps {
  /** The message's photos, in order. */
  photos: readonly Attachment[];
  /** The one opened. */
  startId: string;
  onClose: () => void;
}

/**
 * The full-size photo, over everything: a modal dialog named by the photo. Escape (or Close)
 * closes and gives focus back to the photo opened; the arrow keys (and Previous / Next) move
 * between the message's photos.
 */
export function PhotoViewer({ photos, startId, onClose }: PhotoViewerProps) {
  const headingId = useId();
  const [index, setIndex] = useState(() =>
    Math.max(
      0,
      photos.findIndex((photo) => photo.id === startId),
    ),
  );
  const photo = photos[Math.min(index, photos.length - 1)];
  const many = photos.length > 1;

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented || !many) return;
      const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
      if (step === 0) return;
      event.preventDefault();
      setIndex((current) => (current + step + photos.length) % photos.length);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [many, photos.length]);

  if (!photo) return null;
  const move = (step: number) => setIndex((index + step + photos.length) % photos.length);

  return (
    <ModalDialog
      labelledBy={headingId}
      onClose={onClose}
      backdropClassName="photo-viewer"
      className="photo-viewer__dialog"
      initialFocus=".photo-viewer__close"
    >
      {(close) => (
        <>
          <header className="photo-viewer__bar">
            <button
              type="button"
              className="photo-viewer__button photo-viewer__close"
              aria-label="Close"
              onClick={close}
            >
              <CloseIcon size={16} />
            </button>
            <h2 id={headingId} className="photo-viewer__title">
              {photo.name}
              {many ? (
                <span className="photo-viewer__count">{` ${index + 1} of ${photos.length}`}</span>
              ) : null}
            </h2>
            <a className="photo-viewer__download" href={photo.url} download={photo.name}>
              Download
            </a>
          </header>
          <div className="photo-viewer__stage">
            {many ? (
              <button
                type="button"
                className="photo-viewer__button photo-viewer__nav photo-viewer__nav--previous"
                aria-label="Previous photo"
                onClick={() => move(-1)}
              >
                <ChevronLeftIcon />
              </button>
            ) : null}
            <img
              key={photo.id}
              className="photo-viewer__image"
              src={photo.url}
              alt={photo.name}
              width={photo.width ?? undefined}
              height={photo.height ?? undefined}
              style={
                photo.width && photo.height ? { aspectRatio: `${photo.width} / ${photo.height}` } : undefined
              }
            />
            {many ? (
              <button
                type="button"
                className="photo-viewer__button photo-viewer__nav photo-viewer__nav--next"
                aria-label="Next photo"
                onClick={() => move(1)}
              >
                <ChevronRightIcon />
              </button>
            ) : null}
          </div>
        </>
      )}
    </ModalDialog>
  );
}
