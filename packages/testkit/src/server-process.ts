import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
// Node's URL, named: in happy-dom suites the global URL is the DOM's.
import { fileURLToPath, URL } from 'node:url';
import { TEST_JWT_SECRET } from './tokens';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const MAIN = join(ROOT, 'apps/server/src/main.ts');
const READY = /Chat is running at (http:\/\/\S+)/;

/** What a test server process is started with unless `env` says otherwise. */
const DEFAULT_ENV: Record<string, string> = {
  PORT: '0',
  HOST: '127.0.0.1',
  JWT_SECRET: TEST_JWT_SECRET,
  LOG_LEVEL: 'warn',
  WEB_DIST_DIR: '/nonexistent',
  AUTH_RATE_LIMIT: '0',
};

export interface ServerProcess {
  /** The URL the process printed when ready, e.g. `http://127.0.0.1:41234`. */
  url: string;
  wsUrl: string;
  port: number;
  child: ChildProcess;
  /** Resolves with the exit code (or the signal) once the process is gone. */
  exited: Promise<number | NodeJS.Signals | null>;
  /** Sends `signal` (default SIGKILL) unless the process is gone; resolves as `exited`. */
  kill(signal?: NodeJS.Signals): Promise<number | NodeJS.Signals | null>;
  /** Everything it wrote so far, stdout and stderr. */
  output(): string;
}

export interface ServerProcessOptions {
  /** Also copy its stderr to this process's stderr as it comes. Default false. */
  echoStderr?: boolean;
  /** How long it may take to print its URL before it is killed. Default 30 s. */
  startTimeoutMs?: number;
}

/**
 * The server as it runs in production: `node --import tsx apps/server/src/main.ts`
 * from the repository root, in its own process, configured by env only; resolves
 * once it prints `Chat is running at <url>`, rejects if it exits first. `env` goes
 * over this process's environment and the test defaults: PORT 0, HOST 127.0.0.1,
 * JWT_SECRET TEST_JWT_SECRET, LOG_LEVEL warn, no web app, no auth rate limit (an
 * empty value unsets one: the server reads a blank variable as unset).
 */
export async function startServerProcess(
  env: Record<string, string> = {},
  options: ServerProcessOptions = {},
): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    cwd: ROOT,
    env: { ...process.env, ...DEFAULT_ENV, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ?? code)),
  );
  const kill = (signal: NodeJS.Signals = 'SIGKILL') => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return exited;
  };
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      void kill();
      reject(new Error(`server did not start:\n${output}`));
    }, options.startTimeoutMs ?? 30_000);
    let ready = false;
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = ready ? null : READY.exec(output);
      if (match?.[1]) {
        ready = true;
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (options.echoStderr) process.stderr.write(chunk);
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${String(code)}) before starting:\n${output}`));
    });
  });
  const port = Number(new URL(url).port);
  return {
    url,
    wsUrl: `${url.replace(/^http/, 'ws')}/ws`,
    port,
    child,
    exited,
    kill,
    output: () => output,
  };
}
