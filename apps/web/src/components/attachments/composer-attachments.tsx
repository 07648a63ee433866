import { formatFileSize, isPreviewableImage } from '../../lib/file-size';
import { CloseIcon, DocumentIcon } from '../ui/icons';
import { useBlobImage } from './use-object-url';

/** A file chosen, pasted or dropped into the composer, not sent yet. */
export interface ComposerFile {
  id: string;
  file: File;
  /** Over the upload limit: shown, but the message cannot go until it is removed. */
  tooBig: boolean;
}

export const TOO_BIG_TEXT = 'Files can be up to 25 MB';

function Preview({ item, onRemove }: { item: ComposerFile; onRemove: () => void }) {
  const image = isPreviewableImage(item.file.type);
  const imageRef = useBlobImage(image ? item.file : undefined);
  const name = item.file.name || 'file';
  return (
    <li className={`composer-file${item.tooBig ? ' composer-file--refused' : ''}`}>
      {image ? (
        <img ref={imageRef} className="composer-file__thumb" alt="" />
      ) : (
        <span className="composer-file__icon" aria-hidden="true">
          <DocumentIcon />
        </span>
      )}
      <span className="composer-file__text">
        <span className="composer-file__name">{name}</span>
        <span className="composer-file__size">
          {item.tooBig ? TOO_BIG_TEXT : formatFileSize(item.file.size)}
        </span>
      </span>
      <button
        type="button"
        className="composer-file__remove"
        aria-label={`Remove ${name}`}
        onClick={onRemove}
      >
        <CloseIcon size={10} />
      </button>
    </li>
  );
}

/** The files waiting in the composer: each with its name and a Remove button. */
export function ComposerAttachments({
  files,
  onRemove,
}: {
  files: readonly ComposerFile[];
  onRemove: (id: string) => void;
}) {
  if (files.length === 0) return null;
  const refused = files.filter((item) => item.tooBig);
  return (
    <>
      <ul className="composer-files" aria-label="Attachments">
        {files.map((item) => (
          <Preview key={item.id} item={item} onRemove={() => onRemove(item.id)} />
        ))}
      </ul>
      {refused.length > 0 ? (
        <p className="composer-files__error" role="alert">
          {refused.length === 1
            ? `${refused[0]?.file.name || 'This file'} is too big. ${TOO_BIG_TEXT}.`
            : `${refused.length} files are too big. ${TOO_BIG_TEXT}.`}
        </p>
      ) : null}
    </>
  );
}
