import { vi } from 'vitest';

/**
 * Retries `check` until it passes: deliveries happen off the send path, on a
 * machine that may be busy, so the wait is generous (it ends as soon as the
 * check passes; nothing here measures time).
 */
export function eventually<T>(check: () => T | Promise<T>): Promise<T> {
  return vi.waitFor(check, { timeout: 15_000, interval: 20 });
}
