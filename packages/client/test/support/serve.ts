/**
 * Runs the test chat server in a process of its own, for suites whose
 * environment cannot host it (happy-dom replaces Node's URL, fetch, ...).
 * Driven by lines on stdin: `stop`, `start`, `restart`, `exit`; answers one
 * JSON line on stdout per command, `{"ready":true,...}` first.
 */
import { createInterface } from 'node:readline';
import { startServer } from './chat-server';

const overrides = JSON.parse(process.env.CHAT_TEST_SERVER_CONFIG ?? '{}') as Record<string, unknown>;
const handle = await startServer(overrides);
const { port, url, wsUrl } = handle.server;
const reply = (value: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(value)}\n`);
reply({ ready: true, port, url, wsUrl });

for await (const line of createInterface({ input: process.stdin })) {
  const command = line.trim();
  try {
    if (command === 'stop') await handle.stop();
    else if (command === 'start') await handle.start();
    else if (command === 'restart') await handle.restart();
    else if (command === 'exit') break;
    reply({ done: command });
  } catch (error) {
    reply({ failed: command, error: String(error) });
  }
}
await handle.dispose();
process.exit(0);
