import { useState } from 'react';
import type { MessageState } from '@chat/protocol';

/** An answer that has started but has no text yet: the typing bubble's three dots. */
export function StreamingDots() {
  return (
    <span className="bubble__dots">
      <span className="typing-bubble__dot" aria-hidden="true" />
      <span className="typing-bubble__dot" aria-hidden="true" />
      <span className="typing-bubble__dot" aria-hidden="true" />
      <span className="visually-hidden">Writing…</span>
    </span>
  );
}

/**
 * Under a message that is not a plain complete one (section 14): while it streams, "Stop
 * generating" for every member ("Stopping…" once pressed, until the sender ends it); after, a
 * small note saying how it ended: "Stopped" or "Interrupted" (the partial text stays above).
 */
export function StreamControls({
  messageId,
  state,
  onStop,
}: {
  messageId: string;
  state: Exclude<MessageState, 'complete'>;
  onStop?: (messageId: string) => Promise<unknown>;
}) {
  const [stopping, setStopping] = useState(false);
  if (state === 'stopped' || state === 'interrupted') {
    return (
      <div className="message-row__meta message-row__ended">
        {state === 'stopped' ? 'Stopped' : 'Interrupted'}
      </div>
    );
  }
  if (!onStop) return null;
  const stop = () => {
    setStopping(true);
    // A refusal (say, it ended meanwhile) gives the button back; the error is said by the caller.
    onStop(messageId).catch(() => setStopping(false));
  };
  return (
    <div className="stream-bar">
      {/*
        aria-disabled rather than disabled: the button keeps keyboard focus once pressed. Always in
        the tab order (unlike a message's other controls, which follow its roving tab stop): an
        answer running on is something to reach at once.
      */}
      <button
        type="button"
        className="stream-stop"
        aria-disabled={stopping}
        onClick={stopping ? undefined : stop}
      >
        <span className="stream-stop__square" aria-hidden="true" />
        {stopping ? 'Stopping…' : 'Stop generating'}
      </button>
    </div>
  );
}
