import { MAX_STREAM_BODY_CODE_POINTS, STREAM_RELAY_INTERVAL_MS } from '@chat/protocol';
import type { Message } from '@chat/protocol';
import type { ChatClient, Clock } from '@chat/client';
import { Coalescer } from './coalescer';

/** Text to stream: an async iterable of chunks, or a function making one from the stop signal. */
export type StreamSource = AsyncIterable<string> | ((signal: AbortSignal) => AsyncIterable<string>);

/** How a streamed reply ended. */
export interface StreamResult {
  /** The message as the server stored it when the stream started. */
  message: Message;
  /** The final text sent with `end_stream` (with the note of an error, if any). */
  text: string;
  /**
   * `complete`: the source ended; `stopped`: a member's stop, the caller's signal, the source's
   * error or the 16,000 code point cap ended it (sent as `stopped` with the text so far);
   * `interrupted`: the connection was lost (the server ends such a stream `interrupted`).
   */
  state: 'complete' | 'stopped' | 'interrupted';
  /** Why the source failed, when it did. */
  error?: unknown;
}

export interface ReplyStreamDeps {
  client: ChatClient;
  clock: Clock;
  /** Aborted by a stop of this reply; passed to the source. */
  controller: AbortController;
  /** Registers the message whose `stream_stop` should abort `controller`; returns the unregister. */
  watchStop: (messageId: string, controller: AbortController) => () => void;
}

/** The longest part of an error's message put in the note that ends a failed stream. */
const NOTE_MAX = 200;

/**
 * Streams one reply: starts a streaming message, relays the whole text so far at most once per
 * 100 ms (STREAM_RELAY_INTERVAL_MS, the server's own relay rate), and ends it. The source gets an
 * AbortSignal that a `stream_stop` of this message, the caller's signal or a lost connection
 * aborts; the source is also abandoned at once (a chunk in flight is not awaited).
 */
export async function streamReply(
  deps: ReplyStreamDeps,
  conversationId: string,
  source: StreamSource,
  options: { replyTo?: string | null } = {},
): Promise<StreamResult> {
  const { client, controller } = deps;
  const message = await client.startStream(conversationId, { replyTo: options.replyTo ?? null });
  const unwatchStop = deps.watchStop(message.id, controller);
  let lost = false;
  const unwatchStatus = client.on('status', (status) => {
    if (status === 'open') return;
    lost = true;
    controller.abort(new Error('the connection to the chat was lost'));
  });
  const coalescer = new Coalescer(deps.clock, STREAM_RELAY_INTERVAL_MS, (text) =>
    client.streamMessage(message.id, text),
  );

  let text = '';
  let error: unknown;
  let capped = false;
  const signal = controller.signal;
  const aborted = new Promise<'aborted'>((resolve) => {
    if (signal.aborted) resolve('aborted');
    else signal.addEventListener('abort', () => resolve('aborted'), { once: true });
  });
  let iterator: AsyncIterator<string> | undefined;
  let finished = false;
  try {
    const iterable = typeof source === 'function' ? source(signal) : source;
    iterator = iterable[Symbol.asyncIterator]();
    for (;;) {
      const next = iterator.next();
      // A chunk still in flight when the stop wins the race must not become an unhandled rejection.
      next.catch(() => undefined);
      const step = await Promise.race([next, aborted]);
      if (step === 'aborted') break;
      if (step.done) {
        finished = true;
        break;
      }
      text += step.value;
      if (text.length > MAX_STREAM_BODY_CODE_POINTS && [...text].length > MAX_STREAM_BODY_CODE_POINTS) {
        text = [...text].slice(0, MAX_STREAM_BODY_CODE_POINTS).join('');
        capped = true;
        controller.abort(new Error('the reply reached the longest a streamed message may be'));
        break;
      }
      coalescer.push(text);
    }
  } catch (caught) {
    // After a stop, the source's abort error is the stop itself, not a failure.
    if (!signal.aborted) error = caught;
    finished = true;
  } finally {
    coalescer.cancel();
    unwatchStop();
    unwatchStatus();
    if (!finished) void iterator?.return?.()?.catch(() => undefined);
  }

  if (lost) return { message, text, state: 'interrupted' };
  const state = error !== undefined || signal.aborted || capped ? 'stopped' : 'complete';
  const body = error === undefined ? text : withNote(text, error);
  try {
    await client.endStream(message.id, body, state);
  } catch (endError) {
    // Offline, or already ended by the server (`conflict`): it ended `interrupted` there.
    return { message, text: body, state: 'interrupted', error: error ?? endError };
  }
  return { message, text: body, state, ...(error === undefined ? {} : { error }) };
}

/** The partial text and a short note saying the answer broke off, within the stream's cap. */
function withNote(text: string, error: unknown): string {
  const reason = error instanceof Error ? error.message : String(error);
  const short = reason.length > NOTE_MAX ? `${reason.slice(0, NOTE_MAX)}…` : reason;
  const note = `(The answer stopped early: ${short})`;
  const room = MAX_STREAM_BODY_CODE_POINTS - [...note].length - 2;
  const kept = [...text].length > room ? [...text].slice(0, room).join('') : text;
  return kept ? `${kept}\n\n${note}` : note;
}
