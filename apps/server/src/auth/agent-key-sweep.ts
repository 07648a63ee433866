import type { Clock } from '../clock';
import type { Logger } from '../logger';
import type { Storage } from '../storage/storage';

/**
 * The backstop for a replaced or deleted agent key (section 14) on every
 * process. The broker's `revoked` event closes an agent's sockets at once;
 * should that event be lost (Redis away at that moment), this sweep finds
 * them: every `intervalMs` the keys of this process's agent sockets are looked
 * up, and those no longer current go to `onRevoked` (the gateway closes their
 * sockets with 4001). Returns the way to stop it.
 */
export function watchAgentKeys(
  deps: { storage: Pick<Storage, 'agentUserByKeyHash'>; clock: Clock; log: Pick<Logger, 'error'> },
  openKeyHashes: () => Iterable<string>,
  onRevoked: (keyHashes: string[]) => void,
  intervalMs: number,
): () => void {
  let running = false;
  return deps.clock.setInterval(() => {
    // A slow database must not pile up sweeps.
    if (running) return;
    const keyHashes = [...new Set(openKeyHashes())];
    if (keyHashes.length === 0) return;
    running = true;
    Promise.all(keyHashes.map(async (hash) => ((await deps.storage.agentUserByKeyHash(hash)) ? null : hash)))
      .then(
        (results) => {
          const gone = results.filter((hash): hash is string => hash !== null);
          if (gone.length > 0) onRevoked(gone);
        },
        (error: unknown) => deps.log.error({ err: error }, 'agent key sweep failed'),
      )
      .finally(() => {
        running = false;
      });
  }, intervalMs);
}
