/** A change to the conversation ("Ada added Grace"), centred and grey, between the messages. */
export function SystemLine({ text, id }: { text: string; id: string }) {
  return (
    <div className="system-line" id={`message-${id}`} role="note">
      {text}
    </div>
  );
}

/** Above the first message that was unread when the conversation opened. */
export function UnreadDivider() {
  return (
    <div className="unread-divider" id="unread-divider" role="separator" aria-label="New messages">
      <span aria-hidden="true">New messages</span>
    </div>
  );
}
