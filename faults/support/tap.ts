import { performance } from 'node:perf_hooks';
import { WebSocket } from 'ws';
import type { WebSocketLike } from '@chat/client';

export interface AckRecord {
  /** performance.now() when the first `message_ack` for this client_id arrived. */
  at: number;
  messageId: string;
  seq: number;
}

/**
 * What went over the wire for one ChatClient (one "incarnation": a reloaded
 * client gets a new tap): it wraps `ws`'s WebSocket, so it sees every frame the
 * client sends and every frame the server sends, before the client does.
 */
export class Tap {
  /** Sockets the client opened. */
  sockets = 0;
  /** Close codes of its sockets, in order (1006 when the connection just died). */
  readonly closeCodes: number[] = [];
  /** First `message_ack` per client_id. */
  readonly acks = new Map<string, AckRecord>();
  /** Sockets each client_id was written on (resent from the outbox on a new socket). */
  readonly sentOnSockets = new Map<string, Set<number>>();
  /** Times each message id came in a `message` frame (a new message pushed live). */
  readonly messageFrames = new Map<string, number>();
  /** `join_conversation` frames sent with / without since_seq. */
  resumes = 0;
  freshJoins = 0;

  /** A WebSocket class for `ChatClientOptions.WebSocket` that reports to this tap. */
  webSocket(): WebSocketLike {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the class below reports to this tap
    const tap = this;
    return class TappedWebSocket extends WebSocket {
      constructor(url: string) {
        super(url);
        const socket = ++tap.sockets;
        this.on('message', (data, isBinary) => {
          if (!isBinary) tap.received(String(data));
        });
        this.on('close', (code) => tap.closeCodes.push(code));
        const send = this.send.bind(this);
        this.send = ((data: string) => {
          tap.sent(data, socket);
          send(data);
        }) as typeof this.send;
      }
    };
  }

  private sent(data: string, socket: number): void {
    const frame = JSON.parse(data) as { type: string; client_id?: string; since_seq?: number };
    if (frame.type === 'send_message' && frame.client_id) {
      const sockets = this.sentOnSockets.get(frame.client_id) ?? new Set<number>();
      sockets.add(socket);
      this.sentOnSockets.set(frame.client_id, sockets);
    } else if (frame.type === 'join_conversation') {
      if (frame.since_seq === undefined) this.freshJoins++;
      else this.resumes++;
    }
  }

  private received(data: string): void {
    const frame = JSON.parse(data) as {
      type: string;
      client_id?: string;
      message?: { id: string; seq: number };
    };
    if (frame.type === 'message_ack' && frame.client_id && frame.message) {
      if (!this.acks.has(frame.client_id)) {
        this.acks.set(frame.client_id, {
          at: performance.now(),
          messageId: frame.message.id,
          seq: frame.message.seq,
        });
      }
    } else if (frame.type === 'message' && frame.message) {
      const id = frame.message.id;
      this.messageFrames.set(id, (this.messageFrames.get(id) ?? 0) + 1);
    }
  }
}
