import type { Attachment } from '@chat/protocol';
import type { PendingAttachment } from '@chat/client';
import { fitBox, formatFileSize, isPreviewableImage } from '../../lib/file-size';
import { DocumentIcon } from '../ui/icons';
import { useBlobImage } from './use-object-url';

/** An image with dimensions: shown as a photo (the rest are file cards). */
export function isPhoto(attachment: Attachment): boolean {
  return attachment.width !== null && attachment.height !== null && attachment.thumbnail_url !== null;
}

const ONE = { width: 240, height: 320 };

function FileCard({
  name,
  size,
  href,
  tabIndex,
}: {
  name: string;
  size: number;
  href: string | null;
  tabIndex: number | undefined;
}) {
  const inner = (
    <>
      <span className="file-card__icon" aria-hidden="true">
        <DocumentIcon />
      </span>
      <span className="file-card__text">
        <span className="file-card__name">{name}</span>
        <span className="file-card__size">{formatFileSize(size)}</span>
      </span>
    </>
  );
  return href ? (
    <a
      className="file-card"
      href={href}
      download={name}
      tabIndex={tabIndex}
      aria-label={`Download ${name}, ${formatFileSize(size)}`}
    >
      {inner}
    </a>
  ) : (
    <div className="file-card">{inner}</div>
  );
}

/**
 * A message's files: photos at their aspect ratio (one alone, several in a grid of squares),
 * each a button opening the viewer; other files as cards with a download link.
 */
export function MessageAttachments({
  attachments,
  onOpenPhoto,
  tabIndex,
}: {
  attachments: readonly Attachment[];
  onOpenPhoto: (attachmentId: string) => void;
  tabIndex: number | undefined;
}) {
  const photos = attachments.filter(isPhoto);
  const files = attachments.filter((attachment) => !isPhoto(attachment));
  return (
    <div className="message-files">
      {photos.length > 0 ? (
        <div className={`photo-grid photo-grid--${Math.min(photos.length, 3)}`}>
          {photos.map((photo) => {
            const box =
              photos.length === 1 ? fitBox(photo.width ?? 1, photo.height ?? 1, ONE.width, ONE.height) : null;
            return (
              <button
                key={photo.id}
                type="button"
                className="photo-grid__item"
                tabIndex={tabIndex}
                aria-label={`Open photo ${photo.name}`}
                onClick={() => onOpenPhoto(photo.id)}
                style={box ? { width: box.width, aspectRatio: `${box.width} / ${box.height}` } : undefined}
              >
                <img
                  src={photo.thumbnail_url ?? photo.url}
                  alt={photo.name}
                  width={box?.width ?? photo.width ?? undefined}
                  height={box?.height ?? photo.height ?? undefined}
                  loading="lazy"
                  draggable={false}
                />
              </button>
            );
          })}
        </div>
      ) : null}
      {files.map((file) => (
        <FileCard key={file.id} name={file.name} size={file.size} href={file.url} tabIndex={tabIndex} />
      ))}
    </div>
  );
}

function PendingFile({ item }: { item: PendingAttachment }) {
  const image = isPreviewableImage(item.type) && item.file !== undefined;
  const imageRef = useBlobImage(image ? item.file : undefined);
  const uploading = item.progress !== undefined && item.attachment === undefined;
  return (
    <div className="pending-file">
      {image ? (
        <img ref={imageRef} className="pending-file__image" alt={item.name} />
      ) : item.attachment && isPhoto(item.attachment) ? (
        <img className="pending-file__image" src={item.attachment.thumbnail_url ?? ''} alt={item.name} />
      ) : (
        <FileCard name={item.name} size={item.size} href={null} tabIndex={undefined} />
      )}
      {uploading ? (
        <progress
          className="pending-file__progress"
          aria-label={`Uploading ${item.name}`}
          max={1}
          value={item.progress}
        />
      ) : null}
    </div>
  );
}

/** The files of a message not sent yet: the local copies, each with its upload progress. */
export function PendingAttachments({ attachments }: { attachments: readonly PendingAttachment[] }) {
  return (
    <div className={`message-files message-files--pending photo-grid--${Math.min(attachments.length, 3)}`}>
      {attachments.map((item) => (
        <PendingFile key={item.local_id} item={item} />
      ))}
    </div>
  );
}

/** Why the files of a pending message did not go, in words. */
export function uploadProblem(error: { code: string; message: string } | undefined): string | null {
  if (!error) return null;
  if (error.code === 'too_large') return 'Files can be up to 25 MB';
  if (error.code === 'network' || error.code === 'disconnected') {
    return 'Upload paused: you are offline. It will be sent when you are back online.';
  }
  return `Upload failed: ${error.message}`;
}
