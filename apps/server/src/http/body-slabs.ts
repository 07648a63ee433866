import type { ServerResponse } from 'node:http';

/** Bodies smaller than this come from Node's own buffer pool: not worth keeping memory for. */
const MIN_BODY_BYTES = 64 * 1024;
/** Slabs are sized in steps of this, so a list that grows a little still fits the slab it had. */
const SLAB_STEP_BYTES = 64 * 1024;

/**
 * Memory for large response bodies, taken again once the socket has the last
 * one. A conversation list is ~240 KB written into a fresh Buffer; glibc hands
 * that size out as newly mapped pages, so the copy into it paid a page fault
 * per 4 KB: `Buffer.copy` was 24% of the server's CPU per listing (a
 * `--cpu-prof` of 1,500 listings of 200 conversations, issue 13), where the
 * same copy into a used buffer costs a tenth of that.
 *
 * A slab goes back only when the response's `finish` says the operating system
 * took every byte; a response that closed before that leaves its slab to the
 * garbage collector, so nothing still being written is ever overwritten. At
 * most `maxFree` slabs wait; each is as large as the largest body it served
 * (rounded up to 64 KB).
 */
export class BodySlabs {
  readonly #free: ArrayBuffer[] = [];
  readonly #ours = new WeakSet<ArrayBuffer>();

  constructor(private readonly maxFree = 4) {}

  /** `size` bytes to write the body of `response` into, given back when the response finishes. */
  take(size: number, response: ServerResponse): Buffer {
    if (size < MIN_BODY_BYTES) return Buffer.allocUnsafe(size);
    const index = this.#free.findIndex((slab) => slab.byteLength >= size);
    const slab = index >= 0 ? (this.#free.splice(index, 1)[0] as ArrayBuffer) : this.#newSlab(size);
    response.once('finish', () => this.#giveBack(slab));
    return Buffer.from(slab, 0, size);
  }

  /** How many slabs wait to be taken (for tests). */
  get freeCount(): number {
    return this.#free.length;
  }

  #newSlab(size: number): ArrayBuffer {
    const slab = new ArrayBuffer(Math.ceil(size / SLAB_STEP_BYTES) * SLAB_STEP_BYTES);
    this.#ours.add(slab);
    return slab;
  }

  #giveBack(slab: ArrayBuffer): void {
    if (!this.#ours.has(slab) || this.#free.includes(slab)) return;
    if (this.#free.length >= this.maxFree) return;
    this.#free.push(slab);
  }
}
