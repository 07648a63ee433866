import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** A server the bench started as a process of its own, so it never shares the load generator's event loop. */
export interface ServerProcess {
  readonly pid: number;
  /** The URL the process printed when ready. */
  readonly url: string;
  /** Set when the process exited before `stop()` asked it to: a real failure. */
  readonly crash: string | null;
  /** What it wrote on stderr (warnings and errors at LOG_LEVEL=warn), last lines only. */
  readonly stderrTail: string[];
  /** SIGTERM, then waits for the exit; resolves with the exit code (null: killed after the timeout). */
  stop(timeoutMs?: number): Promise<number | null>;
}

const live = new Set<ChildProcess>();
const killAll = () => {
  for (const child of live) child.kill('SIGKILL');
};
// No server outlives the bench, whether it ends normally or is interrupted.
process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killAll();
    process.exit(130);
  });
}

const STDERR_TAIL = 20;

/**
 * Starts `node <args>` in `cwd` and resolves once a stdout line matches `ready`
 * (its first group is the URL). Rejects if the process exits or stays silent
 * for `startTimeoutMs` first.
 */
export function startProcess(options: {
  name: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  ready: RegExp;
  startTimeoutMs?: number;
}): Promise<ServerProcess> {
  const child = spawn(process.execPath, options.args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  const stderrTail: string[] = [];
  let crash: string | null = null;
  let stopping = false;
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(child);
      if (!stopping) crash = `${options.name} exited unexpectedly (code ${code}, signal ${signal})`;
      resolve(code);
    });
  });
  createInterface({ input: child.stderr }).on('line', (line) => {
    stderrTail.push(line);
    if (stderrTail.length > STDERR_TAIL) stderrTail.shift();
  });

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${options.name} did not start in time:\n${stderrTail.join('\n')}`));
    }, options.startTimeoutMs ?? 30_000);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${options.name} exited with ${code} while starting:\n${stderrTail.join('\n')}`));
    });
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      const match = options.ready.exec(line);
      if (!match?.[1] || child.pid === undefined) return;
      clearTimeout(timer);
      lines.removeAllListeners('line');
      child.stdout.resume(); // keep draining whatever else it prints
      const pid = child.pid;
      const url = match[1];
      resolve({
        pid,
        url,
        get crash() {
          return crash;
        },
        stderrTail,
        async stop(timeoutMs = 15_000) {
          if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
          stopping = true;
          child.kill('SIGTERM');
          const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
          const code = await exited;
          clearTimeout(killer);
          return code;
        },
      });
    });
  });
}
