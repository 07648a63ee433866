import { startBareServer } from './bare-server';
import { serverFailures } from './context';
import { mapLimit } from './provision';
import { sleep } from './pacing';
import { readCpuSeconds, readRssBytes } from './proc-stats';
import { RawClient } from './raw-client';

/** What the bare `ws` server costs per idle, joined connection: the floor under the chat server's figure. */
export interface BareIdle {
  connected: number;
  kibPerConnection: number;
  /** Its CPU while idle, as a share of a core (it sends no heartbeats). */
  idleCore: number;
}

/**
 * The ceiling's side of the idle-connection target: the bare `ws` server
 * (bare-ws-server.ts: no auth, storage or heartbeat) holds the same number of
 * sockets from the same source addresses, authenticated and joined in its
 * fashion, for the same idle window; its RSS growth per socket is what Node and
 * `ws` themselves cost, below which no per-socket state of the chat server can go.
 */
export async function measureBareIdle(options: {
  repoRoot: string;
  count: number;
  concurrency: number;
  sourceOf: (index: number) => string;
  conversationOf: (index: number) => string;
  idleMs: number;
  settleMs: number;
  failures: string[];
}): Promise<BareIdle> {
  const server = await startBareServer(options.repoRoot);
  const clients: RawClient[] = [];
  try {
    await sleep(options.settleMs);
    const rssBefore = readRssBytes(server.pid);
    const indexes = Array.from({ length: options.count }, (_, index) => index);
    await mapLimit(indexes, options.concurrency, async (index) => {
      const client = await RawClient.open(server.url, 30_000, { localAddress: options.sourceOf(index) });
      await client.authenticateAndJoin('bare', options.conversationOf(index));
      clients.push(client);
    });
    await sleep(options.settleMs);
    const cpuBefore = readCpuSeconds(server.pid);
    const idleStart = performance.now();
    await sleep(options.idleMs);
    const idleCore = (readCpuSeconds(server.pid) - cpuBefore) / ((performance.now() - idleStart) / 1000);
    const rssIdle = readRssBytes(server.pid);
    return {
      connected: clients.length,
      kibPerConnection: (rssIdle - rssBefore) / 1024 / Math.max(1, clients.length),
      idleCore,
    };
  } finally {
    await Promise.all(clients.map((client) => client.close()));
    options.failures.push(...serverFailures('connections (bare ws)', server, await server.stop()));
  }
}
