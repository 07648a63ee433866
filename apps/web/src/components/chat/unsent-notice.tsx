import { unsentNotice } from '../../lib/message-preview';

/** Where an unsent message was: "You unsent a message" / "NAME unsent a message". */
export function UnsentNotice({ mine, senderName }: { mine: boolean; senderName: string }) {
  return (
    <div className={`unsent-notice ${mine ? 'unsent-notice--mine' : 'unsent-notice--theirs'}`}>
      {unsentNotice(mine, senderName)}
    </div>
  );
}
