/**
 * Open-loop pacing: calls `send` `rate` times a second for `durationSec`, however
 * slowly the server answers (no coordinated omission: a slow server sees the
 * queue it caused, and its latency figures show it). Sends due in one tick go
 * out together; the tick is a few ms. Resolves with the seconds it actually took.
 */
export async function paceOpenLoop(
  rate: number,
  durationSec: number,
  send: (index: number) => void,
): Promise<number> {
  const total = Math.max(1, Math.round(rate * durationSec));
  const start = performance.now();
  let sent = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate) + 1);
      while (sent < due) send(sent++);
      if (sent >= total) resolve();
      else setTimeout(tick, 2);
    };
    tick();
  });
  return (performance.now() - start) / 1000;
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
