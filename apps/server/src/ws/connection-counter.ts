/**
 * Open connections per key (a remote address, a user) on this process, with a
 * cap: one source cannot take every file descriptor or every slot of the
 * process. A cap per process is a bound per process; several processes each
 * hold their own (documented in docs/security.md).
 */
export class ConnectionCounter {
  private readonly counts = new Map<string, number>();

  constructor(private readonly limit: number) {}

  /** Counts one more for `key`, or answers false when it already holds `limit`. */
  tryTake(key: string): boolean {
    const count = this.counts.get(key) ?? 0;
    if (count >= this.limit) return false;
    this.counts.set(key, count + 1);
    return true;
  }

  release(key: string): void {
    const count = this.counts.get(key) ?? 0;
    if (count <= 1) this.counts.delete(key);
    else this.counts.set(key, count - 1);
  }
}
