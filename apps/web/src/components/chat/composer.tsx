import { useEffect, useId, useImperativeHandle, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { Ref } from 'react';
import type { Message } from '@chat/protocol';
import { MAX_ATTACHMENTS, MAX_BODY_CODE_POINTS, bodyProblem } from '@chat/protocol';
import { DEFAULT_MAX_UPLOAD_BYTES } from '@chat/client';
import { ArrowUpIcon, CloseIcon, PlusIcon } from '../ui/icons';
import { ComposerAttachments } from '../attachments/composer-attachments';
import type { ComposerFile } from '../attachments/composer-attachments';
import { useDraft } from './use-draft';
import { useTypingSignal } from './use-typing-signal';
import { mentionQuery, mentionedIds } from '../../lib/mentions';
import { MentionPicker, optionId } from './mention-picker';
import type { MentionCandidate } from './mention-picker';

interface ComposerProps {
  /** Changing it clears nothing but moves focus here (a new conversation, a chosen reply). */
  focusKey: string;
  /** Where the unsent text is kept across reloads (`draftKey()`); none keeps it in memory only. */
  draftKey?: string;
  replyTo: { message: Message; senderName: string } | null;
  onCancelReply: () => void;
  /** `mentions`: the members whose "@Name" the text holds (picked after "@"); `files`: attached. */
  onSend: (body: string, mentions: string[], files: File[]) => void;
  onTyping: (isTyping: boolean) => void;
  /** The other members, offered after "@" (groups). */
  members?: readonly MentionCandidate[];
  /** Lets the chat view hand in files dropped anywhere on it. */
  ref?: Ref<ComposerHandle>;
}

export interface ComposerHandle {
  addFiles: (files: readonly File[]) => void;
}

function codePoints(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

const NO_MEMBERS: readonly MentionCandidate[] = [];

/**
 * The textbox "Message" and the "Send" button. Enter sends, Shift+Enter adds a line. "@" offers
 * the members: arrows move, Enter or Tab picks, Escape closes.
 */
export function Composer({
  focusKey,
  draftKey,
  replyTo,
  onCancelReply,
  onSend,
  onTyping,
  members = NO_MEMBERS,
  ref,
}: ComposerProps) {
  const [body, setBody] = useDraft(draftKey);
  const input = useRef<HTMLTextAreaElement>(null);
  const picker = useRef<HTMLInputElement>(null);
  const [files, setFiles] = useState<ComposerFile[]>([]);
  const addFiles = (added: readonly File[]) => {
    if (added.length === 0) return;
    setFiles((current) =>
      [
        ...current,
        ...added.map((file) => ({
          id: crypto.randomUUID(),
          file,
          tooBig: file.size > DEFAULT_MAX_UPLOAD_BYTES,
        })),
      ].slice(0, MAX_ATTACHMENTS),
    );
    input.current?.focus();
  };
  useImperativeHandle(ref, () => ({ addFiles }));
  const listId = useId();
  const [caret, setCaret] = useState(0);
  const caretAfterPick = useRef<number | null>(null);
  const [active, setActive] = useState(0);
  // The "@query" Escape closed: not offered again until the text there changes.
  const [dismissed, setDismissed] = useState<string | null>(null);
  const query = mentionQuery(body, caret);
  const candidates = useMemo(() => {
    if (!query) return [];
    const q = query.query.toLocaleLowerCase();
    return members
      .filter((m) =>
        m.display_name
          .toLocaleLowerCase()
          .split(/\s+/u)
          .some((_, i, words) => words.slice(i).join(' ').startsWith(q)),
      )
      .slice(0, 8);
  }, [members, query]);
  const queryKey = query ? `${query.start}:${query.query}` : null;
  const picking = candidates.length > 0 && queryKey !== dismissed;
  const activeIndex = Math.min(active, Math.max(0, candidates.length - 1));

  const pick = (candidate: MentionCandidate) => {
    if (!query) return;
    const before = body.slice(0, query.start);
    const after = body.slice(caret);
    const inserted = `@${candidate.display_name} `;
    const next = `${before}${inserted}${after.startsWith(' ') ? after.slice(1) : after}`;
    setBody(next);
    const at = before.length + inserted.length;
    setCaret(at);
    setActive(0);
    caretAfterPick.current = at;
  };
  // The caret goes after the picked name as the new text commits, before the next key is
  // handled: a frame later (requestAnimationFrame) keys typed in between land after the
  // caret and the rest before them ("@Ada  at thislook", seen in the browser suite).
  useLayoutEffect(() => {
    const at = caretAfterPick.current;
    if (at === null) return;
    caretAfterPick.current = null;
    input.current?.setSelectionRange(at, at);
  }, [body]);
  const typing = useTypingSignal(onTyping);
  const length = codePoints(body);
  const withFiles = files.length > 0;
  // With files the text may be empty (section 11).
  const problem = withFiles && body.trim() === '' ? null : bodyProblem(body);
  const refused = files.some((item) => item.tooBig);
  const over = length - MAX_BODY_CODE_POINTS;

  useEffect(() => {
    input.current?.focus();
  }, [focusKey]);

  const send = () => {
    if (problem !== null || refused) return;
    const text = withFiles && body.trim() === '' ? '' : body;
    onSend(
      text,
      mentionedIds(text, members),
      files.map((item) => item.file),
    );
    setFiles([]);
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
      {picking ? (
        <MentionPicker id={listId} candidates={candidates} active={activeIndex} onPick={pick} />
      ) : null}
      <ComposerAttachments
        files={files}
        onRemove={(id) => {
          setFiles((current) => current.filter((item) => item.id !== id));
          input.current?.focus();
        }}
      />
      <div className="composer__row">
        <button
          type="button"
          className="composer__attach"
          aria-label="Attach"
          disabled={files.length >= MAX_ATTACHMENTS}
          onClick={() => picker.current?.click()}
        >
          <PlusIcon />
        </button>
        <input
          ref={picker}
          type="file"
          multiple
          hidden
          tabIndex={-1}
          aria-hidden="true"
          onChange={(event) => {
            addFiles(Array.from(event.target.files ?? []));
            event.target.value = '';
          }}
        />
        <textarea
          ref={input}
          className="composer__input"
          aria-label="Message"
          placeholder="iMessage"
          rows={1}
          value={body}
          aria-autocomplete="list"
          aria-controls={picking ? listId : undefined}
          aria-activedescendant={picking ? optionId(listId, activeIndex) : undefined}
          onChange={(event) => {
            setBody(event.target.value);
            setCaret(event.target.selectionStart);
            typing.onInput(event.target.value);
          }}
          onSelect={(event) => setCaret(event.currentTarget.selectionStart)}
          onPaste={(event) => {
            const pasted = Array.from(event.clipboardData.files);
            if (pasted.length === 0) return;
            // A copied image comes as a file; text copied with it (its name) is not wanted.
            event.preventDefault();
            addFiles(pasted);
          }}
          onBlur={typing.stop}
          onKeyDown={(event) => {
            if (picking && !event.nativeEvent.isComposing) {
              const step = event.key === 'ArrowDown' ? 1 : event.key === 'ArrowUp' ? -1 : 0;
              if (step !== 0) {
                event.preventDefault();
                setActive((activeIndex + step + candidates.length) % candidates.length);
                return;
              }
              if ((event.key === 'Enter' && !event.shiftKey) || event.key === 'Tab') {
                event.preventDefault();
                const chosen = candidates[activeIndex];
                if (chosen) pick(chosen);
                return;
              }
              if (event.key === 'Escape') {
                event.preventDefault();
                setDismissed(queryKey);
                return;
              }
            }
            if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
              event.preventDefault();
              send();
            } else if (event.key === 'Escape' && replyTo) {
              event.preventDefault();
              onCancelReply();
            }
          }}
        />
        <button
          type="submit"
          className="composer__send"
          aria-label="Send"
          disabled={problem !== null || refused}
        >
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
