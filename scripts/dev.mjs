// `npm run dev`: the chat server with reload on change (port 3000) and Vite's dev
// server with hot reload (port 5173, proxying /api, /auth and /ws to it). Open
// http://localhost:5173. Ctrl-C stops both.
import { spawn } from 'node:child_process';

const children = [
  ['server', 'npx', ['tsx', 'watch', 'apps/server/src/main.ts']],
  ['web', 'npm', ['--workspace', '@chat/web', 'run', 'dev']],
].map(([name, command, args]) => {
  // Vite's proxy passes the page's Origin (port 5173) on /ws upgrades; the server allows that origin too.
  const env = {
    ...process.env,
    ALLOWED_ORIGINS:
      process.env.ALLOWED_ORIGINS ??
      'http://localhost:5173,http://127.0.0.1:5173,http://localhost:3000,http://127.0.0.1:3000',
  };
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  for (const stream of [child.stdout, child.stderr]) {
    stream.on('data', (chunk) => {
      for (const line of chunk.toString().split('\n')) if (line) process.stdout.write(`[${name}] ${line}\n`);
    });
  }
  child.on('exit', (code) => {
    process.stdout.write(`[${name}] exited (${code})\n`);
    stopAll();
  });
  return child;
});

let stopping = false;
function stopAll() {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
}
process.on('SIGINT', stopAll);
process.on('SIGTERM', stopAll);
