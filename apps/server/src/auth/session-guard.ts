import type { Clock } from '../clock';
import type { Logger } from '../logger';
import type { Storage } from '../storage/storage';
import type { TokenVerifier } from './token-verifier';

/**
 * Sign-out that holds before `exp`, on every process of a deployment.
 *
 * - `verifier`: the token verifier, plus a read of the token's session in
 *   storage. A token of a revoked session is refused (`session_not_found`), on
 *   every process alike since they share the database. Tokens without a
 *   `session_id`, or with one storage does not know (minted elsewhere with the
 *   shared secret), are judged by their signature and times alone.
 * - `revoked(ids)`: this process's sign-outs, told at once to the listeners
 *   (the gateway closes those sessions' sockets with 4001).
 * - `watch(...)`: every `intervalMs`, the sessions of this process's open
 *   sockets are looked up and those revoked elsewhere are closed. That interval
 *   is the bound on how long a signed-out socket lives on another process.
 */
export interface SessionGuard {
  readonly verifier: TokenVerifier;
  /** Sessions this process just revoked. */
  revoked(sessionIds: readonly string[]): void;
  onRevoked(listener: (sessionIds: readonly string[]) => void): void;
  /** Starts the sweep of open sessions; returns its stop. */
  watch(openSessions: () => Iterable<string>, intervalMs: number): () => void;
}

export function createSessionGuard(deps: {
  verifier: TokenVerifier;
  storage: Pick<Storage, 'revokedAuthSessions'>;
  clock: Clock;
  log: Pick<Logger, 'error'>;
}): SessionGuard {
  const listeners: Array<(sessionIds: readonly string[]) => void> = [];
  const tell = (sessionIds: readonly string[]) => {
    if (sessionIds.length === 0) return;
    for (const listener of listeners) listener(sessionIds);
  };

  const verifier: TokenVerifier = {
    async verify(token) {
      const result = await deps.verifier.verify(token);
      const sessionId = result.ok ? result.claims.session_id : undefined;
      if (!sessionId) return result;
      const revoked = await deps.storage.revokedAuthSessions([sessionId]);
      if (revoked.length > 0) return { ok: false, reason: 'session signed out', code: 'session_not_found' };
      return result;
    },
  };

  return {
    verifier,
    revoked: tell,
    onRevoked(listener) {
      listeners.push(listener);
    },
    watch(openSessions, intervalMs) {
      let running = false;
      return deps.clock.setInterval(() => {
        // A slow database must not pile up sweeps.
        if (running) return;
        const ids = [...new Set(openSessions())];
        if (ids.length === 0) return;
        running = true;
        deps.storage
          .revokedAuthSessions(ids)
          .then(tell, (error: unknown) => deps.log.error({ err: error }, 'session sweep failed'))
          .finally(() => {
            running = false;
          });
      }, intervalMs);
    },
  };
}
