import type { User } from '@chat/protocol';

/**
 * The users this process authenticated a REST request for lately, by id.
 *
 * Every request's token names its user, and making sure that user exists
 * (storage.ensureUser, which creates a Supabase user on first sight) was a
 * database round trip on every request: on PostgreSQL 0.3-0.4 ms of the
 * conversation list's ~4 ms (issue 13, docs/benchmarks.md). Users are never
 * deleted and `is_agent` never changes, so what a route reads of the
 * authenticated user (its id, whether it is an agent) stays true; what can
 * change elsewhere (the name, the e-mail) is read fresh where it is shown
 * (GET /api/me). The token itself is verified at every request.
 */
export class KnownUsers {
  /** Least recently seen first: a hit moves its user last. */
  readonly #entries = new Map<string, { user: User; seenAt: number }>();

  constructor(
    private readonly maxEntries = 10_000,
    private readonly maxAgeMs = 60_000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The user with this id if seen within `maxAgeMs`. */
  get(id: string): User | undefined {
    const entry = this.#entries.get(id);
    if (!entry) return undefined;
    this.#entries.delete(id);
    if (this.now() - entry.seenAt > this.maxAgeMs) return undefined;
    this.#entries.set(id, entry);
    return entry.user;
  }

  remember(user: User): void {
    this.#entries.delete(user.id);
    this.#entries.set(user.id, { user, seenAt: this.now() });
    if (this.#entries.size > this.maxEntries) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
  }

  /** How many users are kept (for tests). */
  get size(): number {
    return this.#entries.size;
  }
}
