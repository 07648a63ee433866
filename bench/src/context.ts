import type { BenchOptions } from './options';

/** What every scenario gets. */
export interface BenchContext {
  repoRoot: string;
  options: BenchOptions;
  /** Real failures, pushed as they are found, so none is lost when a scenario throws. */
  failures: string[];
}

/** Checks after a scenario's server stopped: it must not have crashed and must exit 0 on SIGTERM. */
export function serverFailures(
  label: string,
  server: { crash: string | null; stderrTail: string[] },
  exitCode: number | null,
): string[] {
  const failures: string[] = [];
  if (server.crash) failures.push(`${label}: ${server.crash}`);
  else if (exitCode !== 0) failures.push(`${label}: server exited with ${exitCode} on SIGTERM`);
  if (failures.length > 0 && server.stderrTail.length > 0) {
    console.error(`${label}: last server stderr lines:\n${server.stderrTail.join('\n')}`);
  }
  return failures;
}
