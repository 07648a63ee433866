import { useEffect, useRef } from 'react';
import type { Message } from '@chat/protocol';
import { MAX_BODY_CODE_POINTS, bodyProblem } from '@chat/protocol';
import { ArrowUpIcon, CloseIcon } from '../ui/icons';
import { useDraft } from './use-draft';
import { useTypingSignal } from './use-typing-signal';

interface ComposerProps {
  /** Changing it clears nothing but moves focus here (a new conversation, a chosen reply). */
  focusKey: string;
  /** Where the unsent text is kept across reloads (`draftKey()`); none keeps it in memory only. */
  draftKey?: string;
  replyTo: { message: Message; senderName: string } | null;
  onCancelReply: () => void;
  onSend: (body: string) => void;
  onTyping: (isTyping: boolean) => void;
}

function codePoints(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** The textbox "Message" and the "Send" button. Enter sends, Shift+Enter adds a line. */
export function Composer({ focusKey, draftKey, replyTo, onCancelReply, onSend, onTyping }: ComposerProps) {
  const [body, setBody] = useDraft(draftKey);
  const input = useRef<HTMLTextAreaElement>(null);
  const typing = useTypingSignal(onTyping);
  const length = codePoints(body);
  const problem = bodyProblem(body);
  const over = length - MAX_BODY_CODE_POINTS;

  useEffect(() => {
    input.current?.focus();
  }, [focusKey]);

  const send = () => {
    if (problem !== null) return;
    onSend(body);
    setBody('');
    typing.stop();
    input.current?.focus();
  };

  return (
    <form
      className="composer"
      onSubmit={(event) => {
        event.preventDefault();
        send();
      }}
    >
      {replyTo ? (
        <div className="composer__reply">
          <div className="composer__reply-text">
            <span className="composer__reply-label">Replying to {replyTo.senderName}</span>
            <span className="composer__reply-body">{replyTo.message.body}</span>
          </div>
          <button type="button" className="icon-button" aria-label="Cancel reply" onClick={onCancelReply}>
            <CloseIcon />
          </button>
        </div>
      ) : null}
      <div className="composer__row">
        <textarea
          ref={input}
          className="composer__input"
          aria-label="Message"
          placeholder="iMessage"
          rows={1}
          value={body}
          onChange={(event) => {
            setBody(event.target.value);
            typing.onInput(event.target.value);
          }}
          onBlur={typing.stop}
          onKeyDown={(event) => {
            if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
              event.preventDefault();
              send();
            } else if (event.key === 'Escape' && replyTo) {
              event.preventDefault();
              onCancelReply();
            }
          }}
        />
        <button type="submit" className="composer__send" aria-label="Send" disabled={problem !== null}>
          <ArrowUpIcon />
        </button>
      </div>
      {over > 0 || length > MAX_BODY_CODE_POINTS - 200 ? (
        <div className={`composer__limit${over > 0 ? ' composer__limit--over' : ''}`} role="note">
          {over > 0
            ? `${over} characters over the limit`
            : `${MAX_BODY_CODE_POINTS - length} characters left`}
        </div>
      ) : null}
    </form>
  );
}
