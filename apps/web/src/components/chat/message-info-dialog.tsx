import { useId } from 'react';
import type { JoinedMember, Message } from '@chat/protocol';
import { readers } from '../../lib/receipts';
import { formatFullTimestamp } from '../../lib/format-time';
import { Avatar } from '../ui/avatar';
import { ModalDialog } from '../ui/modal-dialog';
import { DialogHeader } from '../ui/dialog-header';

interface MessageInfoDialogProps {
  message: Message;
  members: readonly JoinedMember[];
  myUserId: string;
  onClose: () => void;
}

/** "Message info": who of the others has read one of my messages, and who has not yet. */
export function MessageInfoDialog({ message, members, myUserId, onClose }: MessageInfoDialogProps) {
  const headingId = useId();
  const { read, unread } = readers(members, myUserId, message.seq);

  const list = (title: string, people: readonly JoinedMember[]) => (
    <section className="info-section" aria-label={title}>
      <h3 className="info-section__title">{title}</h3>
      {people.length === 0 ? (
        <p className="info-section__empty">No one</p>
      ) : (
        <ul className="member-list">
          {people.map((m) => (
            <li key={m.user_id} className="member">
              <Avatar name={m.display_name} size="small" />
              <span className="member__name">{m.display_name}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );

  return (
    <ModalDialog labelledBy={headingId} onClose={onClose} className="dialog">
      {(close) => (
        <>
          <DialogHeader headingId={headingId} title="Message info" onDone={close} />
          <div className="dialog__body">
            <p className="info-quote">{message.body}</p>
            <p className="info-meta">Sent {formatFullTimestamp(new Date(message.created_at))}</p>
            {list('Read by', read)}
            {list('Delivered to', unread)}
          </div>
        </>
      )}
    </ModalDialog>
  );
}
