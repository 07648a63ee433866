import type { Cancel, Clock } from '../clock';
import type { Logger } from '../logger';
import type { AttachmentStore } from './attachment-store';
import type { UrlSigner } from './signing';

/** An upload never sent is deleted this long after it was made (section 11). */
export const UNSENT_TTL_MS = 24 * 3600 * 1000;
/** How often the sweep looks. */
export const SWEEP_INTERVAL_MS = 10 * 60 * 1000;
const SWEEP_BATCH = 100;

/** What of a claimed record the bytes' deletion needs. */
export interface DeadAttachment {
  id: string;
  storage_key: string;
  thumbnail_key: string | null;
}

export interface ClaimDead {
  (input: { message_id?: string; uploaded_before?: Date; limit: number }): Promise<DeadAttachment[]>;
}

/**
 * The attachments of one server: the byte store, the URL signer, and the
 * deletion of bytes whose records storage gave up (an unsent message's at
 * once, uploads never sent after 24 h by a sweep on the injected clock).
 * Records are claimed (deleted) before their bytes, so two processes never
 * both delete, and a record never points at bytes already gone; a crash
 * between the two leaves bytes nothing refers to, never a dead link.
 */
export class Attachments {
  readonly store: AttachmentStore;
  readonly signer: UrlSigner;
  readonly maxBytes: number;
  private readonly deps: { clock: Clock; log: Logger; claimDead: ClaimDead };
  private cancelSweep: Cancel | null = null;
  private sweeping: Promise<number> | null = null;
  private sweepAgain = false;

  constructor(deps: {
    store: AttachmentStore;
    signer: UrlSigner;
    maxBytes: number;
    clock: Clock;
    log: Logger;
    claimDead: ClaimDead;
  }) {
    this.store = deps.store;
    this.signer = deps.signer;
    this.maxBytes = deps.maxBytes;
    this.deps = deps;
  }

  /** Deletes the bytes of an unsent message's attachments; resolves when they are gone. */
  async releaseMessage(messageId: string): Promise<void> {
    const dead = await this.deps.claimDead({ message_id: messageId, limit: SWEEP_BATCH });
    await this.deleteBytes(dead);
  }

  /** Starts the periodic sweep. */
  startSweep(intervalMs = SWEEP_INTERVAL_MS): void {
    this.cancelSweep ??= this.deps.clock.setInterval(() => void this.sweep(), intervalMs);
  }

  /**
   * One sweep: every upload older than 24 h by the clock that no message took,
   * and what unsends left behind. A sweep asked for while one runs runs again
   * after it, with the clock's time then (a manual clock may have jumped).
   */
  sweep(): Promise<number> {
    if (this.sweeping) {
      this.sweepAgain = true;
      return this.sweeping;
    }
    const run = async (): Promise<number> => {
      let total = 0;
      do {
        this.sweepAgain = false;
        total += await this.sweepOnce();
      } while (this.sweepAgain);
      return total;
    };
    this.sweeping = run()
      .catch((error: unknown) => {
        this.deps.log.error({ err: error }, 'attachment sweep failed; the next one retries');
        return 0;
      })
      .finally(() => {
        this.sweeping = null;
      });
    return this.sweeping;
  }

  async close(): Promise<void> {
    this.cancelSweep?.();
    this.cancelSweep = null;
    await this.sweeping;
    await this.store.close();
  }

  private async sweepOnce(): Promise<number> {
    const uploadedBefore = new Date(this.deps.clock.now() - UNSENT_TTL_MS);
    let total = 0;
    for (;;) {
      const dead = await this.deps.claimDead({ uploaded_before: uploadedBefore, limit: SWEEP_BATCH });
      await this.deleteBytes(dead);
      total += dead.length;
      if (dead.length < SWEEP_BATCH) return total;
    }
  }

  private async deleteBytes(dead: DeadAttachment[]): Promise<void> {
    const keys = dead.flatMap((a) => (a.thumbnail_key ? [a.storage_key, a.thumbnail_key] : [a.storage_key]));
    const results = await Promise.allSettled(keys.map((key) => this.store.delete(key)));
    const failed = keys.filter((_, index) => results[index]?.status === 'rejected');
    if (failed.length > 0) {
      // Their records are gone: nothing links to these bytes any more, they only take space.
      const reasons = results.flatMap((result) => (result.status === 'rejected' ? [result.reason] : []));
      this.deps.log.error({ keys: failed, err: reasons[0] }, 'attachment bytes could not be deleted');
    }
  }
}
