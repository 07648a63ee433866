import type { ServerFrame, ServerFrameType } from '@chat/protocol';
import type { Recipient } from '../../src/realtime/recipient';

/**
 * A realtime Recipient that keeps what it was sent, for the unit tests of the
 * realtime layer (rooms, channels). Frames are parsed back from the text the
 * room sent, so what is checked is what a socket would carry.
 */
export class RecordingRecipient implements Recipient {
  readonly frames: ServerFrame[] = [];
  /** Conversations whose membership ended, in order. */
  readonly ended: string[] = [];

  constructor(readonly userId: string | null) {}

  sendSerialized(text: string, type: ServerFrameType): void {
    const frame = JSON.parse(text) as ServerFrame;
    if (frame.type !== type) throw new Error(`frame ${frame.type} sent as ${type}`);
    this.frames.push(frame);
  }

  endMembership(conversationId: string): void {
    this.ended.push(conversationId);
  }

  /** The seqs of the message changes received, in arrival order. */
  get changeSeqs(): number[] {
    return this.frames.flatMap((frame) =>
      frame.type === 'message' || frame.type === 'message_updated' ? [frame.message.updated_seq] : [],
    );
  }
}
