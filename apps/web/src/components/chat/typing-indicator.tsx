/** iMessage's gray bubble with three bouncing dots. Its accessible name is "NAME is typing". */
export function TypingIndicator({ name, showName }: { name: string; showName: boolean }) {
  return (
    <div className="message-row message-row--theirs typing-row">
      {showName ? (
        <div className="message-row__sender" aria-hidden="true">
          {name}
        </div>
      ) : null}
      <div
        className="typing-bubble bubble bubble--theirs bubble--tail"
        role="img"
        aria-label={`${name} is typing`}
      >
        <span className="typing-bubble__dot" />
        <span className="typing-bubble__dot" />
        <span className="typing-bubble__dot" />
      </div>
    </div>
  );
}
