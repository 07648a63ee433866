import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What the tests need to know of a server running in its own process. */
export interface ServerAddress {
  port: number;
  url: string;
  wsUrl: string;
}

/**
 * A real chat server in a child process (see serve.ts): the same server, the
 * same SQLite, reached over loopback sockets. Restart = graceful stop (1001)
 * and a new server on the same port and data.
 */
export class ServerProcess implements ServerAddress {
  private readonly replies: Array<(line: Record<string, unknown>) => void> = [];

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    readonly port: number,
    readonly url: string,
    readonly wsUrl: string,
  ) {
    createInterface({ input: child.stdout }).on('line', (line) => this.replies.shift()?.(JSON.parse(line)));
  }

  static async start(config: Record<string, unknown> = {}): Promise<ServerProcess> {
    // A string, not a URL object: in happy-dom suites the global URL is the DOM's.
    const here = dirname(fileURLToPath(import.meta.url));
    const script = join(here, 'serve.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: here, // `tsx` resolves from here up to the repository's node_modules
      env: { ...process.env, CHAT_TEST_SERVER_CONFIG: JSON.stringify(config) },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    child.stderr.on('data', (chunk: Buffer) => process.stderr.write(chunk));
    const first = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const lines = createInterface({ input: child.stdout });
      lines.once('line', (line) => {
        lines.close();
        resolve(JSON.parse(line));
      });
      child.once('exit', (code) => reject(new Error(`the test server exited with ${code}`)));
    });
    return new ServerProcess(child, first.port as number, first.url as string, first.wsUrl as string);
  }

  stop(): Promise<void> {
    return this.command('stop');
  }

  start(): Promise<void> {
    return this.command('start');
  }

  restart(): Promise<void> {
    return this.command('restart');
  }

  async dispose(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin.write('exit\n');
    await exited;
  }

  private command(name: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.replies.push((reply) =>
        reply.done === name ? resolve() : reject(new Error(String(reply.error))),
      );
      this.child.stdin.write(`${name}\n`);
    });
  }
}
