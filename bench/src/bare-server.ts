import { join } from 'node:path';
import { startProcess, type ServerProcess } from './child-process';

/** Starts bench/src/bare-ws-server.ts as its own process on a free loopback port. */
export function startBareServer(repoRoot: string): Promise<ServerProcess> {
  return startProcess({
    name: 'bare ws server',
    args: ['--import', 'tsx', join('bench', 'src', 'bare-ws-server.ts')],
    cwd: repoRoot,
    env: { PORT: '0', HOST: '127.0.0.1' },
    ready: /Bare ws running at (ws:\/\/\S+)/,
  });
}
