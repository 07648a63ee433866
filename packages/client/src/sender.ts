import { MAX_ATTACHMENTS, MAX_MENTIONS, bodyProblem, streamBodyProblem } from '@chat/protocol';
import type { Attachment, ClientFrame, ServerFrameOf } from '@chat/protocol';
import type { Clock } from './clock';
import { ChatError } from './errors';
import { Outbox } from './outbox';
import type { OutboxStore, PendingAttachment, PendingMessage, UploadFile, UploadOptions } from './types';

export interface SenderConfig {
  store: OutboxStore;
  /** Sends a frame on the open socket; false when there is none. */
  send: (frame: ClientFrame) => boolean;
  /** A conversation's pending sends changed. */
  onChange: (conversationId: string) => void;
  /** When a `rate_limited` refusal names no wait. */
  rateLimitRetryMs: number;
  clock: Clock;
  /** Uploads one file (section 11). */
  upload: (file: UploadFile, options: UploadOptions) => Promise<Attachment>;
  /** Files over this are refused by `send` with `too_large`. */
  maxUploadBytes: number;
}

/**
 * The path of a message from `send()` to its ack, exactly once:
 * 1. written to the outbox (durably) BEFORE it first goes out;
 * 2. sent at most once per socket, and again on every new socket until acked,
 *    always with its original client_id (the server answers a repeat with the
 *    original ack and broadcasts nothing new);
 * 3. acked (`message_ack`, its own `message`, or found in a `joined`): removed;
 * 4. refused: `rate_limited` holds ALL sends for retry_after_ms, then resends
 *    them in order; any other code marks it 'failed' until `retry` or `discard`.
 *
 * A message with files first uploads them (the bytes are in the outbox's store until then),
 * one at a time, storing each Attachment as it comes; only then is it sent, with
 * `attachment_ids`. An upload without an answer (offline) leaves it 'sending' with that error
 * and is tried again on the next socket; a refused one (too large) marks it 'failed'.
 */
export class Sender {
  readonly outbox: Outbox;
  /** Counts authenticated sockets. */
  private socketNumber = 0;
  /** client_id -> the socket it was last sent on. */
  private readonly sentOn = new Map<string, number>();
  private pause: unknown;
  private lastCreatedAt = 0;
  /** Until the stored outbox is loaded, older messages may be missing from it: nothing goes out. */
  private outboxLoaded = false;
  /** client_id -> the uploads running for it. */
  private readonly uploading = new Map<string, AbortController>();

  constructor(private readonly config: SenderConfig) {
    this.outbox = new Outbox(config.store, config.onChange);
  }

  /** Throws a ChatError `bad_request` for a body the server would refuse. */
  send(
    conversationId: string,
    body: string,
    replyTo: string | null,
    mentions: readonly string[] = [],
    files: readonly UploadFile[] = [],
    streaming = false,
  ): PendingMessage {
    const problem = streaming
      ? streamBodyProblem(body)
      : files.length > 0 && body === ''
        ? null
        : bodyProblem(body);
    if (problem) throw new ChatError('bad_request', problem);
    if (files.length > MAX_ATTACHMENTS) {
      throw new ChatError('bad_request', `at most ${MAX_ATTACHMENTS} files in a message`);
    }
    const tooBig = files.find((file) => file.size > this.config.maxUploadBytes);
    if (tooBig) throw tooLarge(tooBig, this.config.maxUploadBytes);
    if (new Set(mentions).size > MAX_MENTIONS) {
      throw new ChatError('bad_request', `at most ${MAX_MENTIONS} mentions`);
    }
    // Strictly increasing, so that the stored order is the order typed.
    const createdAt = Math.max(this.config.clock.now(), this.lastCreatedAt + 1);
    this.lastCreatedAt = createdAt;
    const message: PendingMessage = {
      client_id: crypto.randomUUID(),
      conversation_id: conversationId,
      body,
      reply_to: replyTo,
      ...(mentions.length > 0 ? { mentions: [...new Set(mentions)] } : {}),
      ...(streaming ? { streaming: true } : {}),
      ...(files.length > 0
        ? {
            attachments: files.map((file): PendingAttachment => ({
              local_id: crypto.randomUUID(),
              name: file.name || 'file',
              type: file.type,
              size: file.size,
              file,
            })),
          }
        : {}),
      created_at: new Date(createdAt).toISOString(),
      state: 'sending',
    };
    // flush, not transmit: older unsent messages go first, so the stored order is the typed order.
    void this.outbox.add(message).then(() => this.flush());
    return message;
  }

  retry(clientId: string): void {
    if (!this.outbox.get(clientId)) return;
    this.sentOn.delete(clientId);
    this.outbox.update(clientId, { state: 'sending', error: undefined });
    this.transmit(clientId);
  }

  discard(clientId: string): void {
    this.uploading.get(clientId)?.abort();
    this.sentOn.delete(clientId);
    this.outbox.remove(clientId);
  }

  /** The message landed (whichever way we learnt it). */
  acked(clientId: string): void {
    this.sentOn.delete(clientId);
    this.outbox.remove(clientId);
  }

  /** An `error` frame: true when it was about one of our sends. */
  refused(frame: ServerFrameOf<'error'>): boolean {
    const clientId = frame.client_id;
    if (clientId === undefined || !this.outbox.get(clientId)) return false;
    this.sentOn.delete(clientId);
    if (frame.code === 'rate_limited') {
      this.pause ??= this.config.clock.setTimeout(() => {
        this.pause = undefined;
        this.flush();
      }, frame.retry_after_ms ?? this.config.rateLimitRetryMs);
      return true;
    }
    this.outbox.update(clientId, { state: 'failed', error: { code: frame.code, message: frame.message } });
    return true;
  }

  /** A new authenticated socket: everything unacked goes out again, once the outbox is loaded. */
  connected(): void {
    this.socketNumber++;
    this.sentOn.clear();
    void this.outbox.load().then(() => {
      this.outboxLoaded = true;
      this.flush();
    });
  }

  /** The socket is gone: a rate-limit wait ends with it (the next socket resends anyway). */
  disconnected(): void {
    this.config.clock.clearTimeout(this.pause);
    this.pause = undefined;
  }

  /** Sends every sendable message not yet sent on this socket, oldest first. */
  flush(): void {
    for (const message of this.outbox.sendable()) this.transmit(message.client_id);
  }

  private transmit(clientId: string): void {
    const message = this.outbox.get(clientId);
    if (!this.outboxLoaded || !message || message.state !== 'sending' || !this.outbox.isDurable(clientId)) {
      return;
    }
    if (this.pause !== undefined || this.sentOn.get(clientId) === this.socketNumber) return;
    if (message.attachments?.some((item) => !item.attachment)) {
      void this.uploadFiles(clientId);
      return;
    }
    const attachmentIds = message.attachments?.flatMap((item) =>
      item.attachment ? [item.attachment.id] : [],
    );
    const sent = this.config.send({
      type: 'send_message',
      conversation_id: message.conversation_id,
      client_id: message.client_id,
      body: message.body,
      ...(message.reply_to ? { reply_to: message.reply_to } : {}),
      ...(message.mentions?.length ? { mentions: message.mentions } : {}),
      ...(attachmentIds?.length ? { attachment_ids: attachmentIds } : {}),
      ...(message.streaming ? { streaming: true } : {}),
    });
    if (sent) this.sentOn.set(clientId, this.socketNumber);
  }

  /** Uploads the message's files not yet uploaded, in order, then sends it. */
  private async uploadFiles(clientId: string): Promise<void> {
    if (this.uploading.has(clientId)) return;
    const controller = new AbortController();
    this.uploading.set(clientId, controller);
    try {
      for (;;) {
        const message = this.outbox.get(clientId);
        if (!message || message.state !== 'sending' || controller.signal.aborted) return;
        const files = message.attachments ?? [];
        const index = files.findIndex((item) => !item.attachment);
        if (index < 0) break;
        const item = files[index]!;
        if (!item.file) {
          this.outbox.update(clientId, {
            state: 'failed',
            error: { code: 'bad_request', message: `the file ${item.name} is no longer here` },
          });
          return;
        }
        const withProgress = (progress: number) => {
          const current = this.outbox.get(clientId)?.attachments;
          if (!current) return;
          const next = current.map((entry) =>
            entry.local_id === item.local_id ? { ...entry, progress } : entry,
          );
          this.outbox.setAttachments(clientId, next, false);
        };
        if (message.error) this.outbox.update(clientId, { state: 'sending', error: undefined });
        withProgress(0);
        let attachment: Attachment;
        try {
          attachment = await this.config.upload(item.file, {
            name: item.name,
            signal: controller.signal,
            onProgress: (loaded, total) => withProgress(total > 0 ? Math.min(1, loaded / total) : 0),
          });
        } catch (error) {
          const chatError =
            error instanceof ChatError ? error : new ChatError('internal', (error as Error).message);
          if (chatError.code === 'aborted') return;
          const current = this.outbox.get(clientId);
          if (!current) return;
          // Progress bars go; the reason shows instead.
          this.outbox.setAttachments(
            clientId,
            (current.attachments ?? []).map((entry) => {
              const { progress: _progress, ...rest } = entry;
              return rest;
            }),
            false,
          );
          this.outbox.update(clientId, {
            state: chatError.retryable ? 'sending' : 'failed',
            error: chatError.toJSON(),
          });
          return;
        }
        const current = this.outbox.get(clientId);
        if (!current) return;
        this.outbox.setAttachments(
          clientId,
          (current.attachments ?? []).map((entry) =>
            entry.local_id === item.local_id
              ? { local_id: entry.local_id, name: entry.name, type: entry.type, size: entry.size, attachment }
              : entry,
          ),
        );
      }
    } finally {
      if (this.uploading.get(clientId) === controller) this.uploading.delete(clientId);
    }
    const message = this.outbox.get(clientId);
    if (message?.error) this.outbox.update(clientId, { state: message.state, error: undefined });
    this.transmit(clientId);
  }
}

function tooLarge(file: UploadFile, max: number): ChatError {
  const mb = Math.round(max / (1024 * 1024));
  return new ChatError('too_large', `${file.name || 'the file'} is larger than ${mb} MB`);
}
