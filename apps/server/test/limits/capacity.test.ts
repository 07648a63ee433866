import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { countOpenFds, fdBudget, fdReserve, readFdLimits } from '../../src/limits/fd-limits';
import { listenBacklogFor } from '../../src/limits/listen-backlog';
import { startServerProcess } from '../support/server-process';
import { TestSocket } from '../support/test-socket';

/**
 * Connection capacity (issue 13): the server raises its fd soft limit, says at
 * start how many connections it can hold, and past that answers an upgrade
 * 503 with a logged reason instead of the kernel resetting it unlogged.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'chat-capacity-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** The HTTP status and Retry-After of an upgrade, 101 when it was accepted. */
function upgrade(
  url: string,
): Promise<{ status: number; retryAfter: string | undefined; socket: WebSocket }> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url);
    socket.once('open', () => resolve({ status: 101, retryAfter: undefined, socket }));
    socket.once('unexpected-response', (_request, response) =>
      resolve({
        status: response.statusCode ?? 0,
        retryAfter: response.headers['retry-after'],
        socket,
      }),
    );
    socket.on('error', () => undefined);
  });
}

/** Linux with util-linux: the fd limit can be read, and a process started or changed under another. */
function hasPrlimit(): boolean {
  try {
    execFileSync('prlimit', ['--version'], { stdio: 'ignore' });
    return readFdLimits() !== null;
  } catch {
    return false;
  }
}

/** pino's JSON lines of the process, parsed. */
function logLines(output: string): Array<Record<string, unknown>> {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('connection capacity', () => {
  it('capacity: with MAX_CONNECTIONS=3 the start logs it, the 4th upgrade gets 503 with Retry-After and a logged reason, and a closed one frees its slot', async () => {
    const proc = await startServerProcess({ DATA_DIR: dataDir, MAX_CONNECTIONS: '3', LOG_LEVEL: 'info' });
    try {
      const start = logLines(proc.output()).find((line) => line.msg === 'can hold 3 connections');
      expect(start).toMatchObject({ level: 30, capacity: 3 });
      expect(start?.fdSoft).toBeDefined();
      expect(start?.fdHard).toBeDefined();

      const open = await Promise.all([1, 2, 3].map(() => TestSocket.open(proc.wsUrl)));
      const refused = await upgrade(proc.wsUrl);
      expect(refused.status).toBe(503);
      expect(Number(refused.retryAfter)).toBeGreaterThan(0);
      await vi.waitFor(() =>
        expect(
          logLines(proc.output()).find(
            (line) => line.msg === 'connection refused: websocket capacity reached',
          ),
        ).toMatchObject({ level: 40, capacity: 3, connections: 3, refusedSinceLastLog: 1 }),
      );
      expect(logLines(proc.output()).some((line) => String(line.msg).includes('90% of capacity'))).toBe(true);
      const metrics = await (await fetch(`${proc.url}/metrics`)).text();
      expect(metrics).toMatch(/^chat_connection_capacity 3$/m);

      open[0]!.close();
      await open[0]!.waitForClose();
      await vi.waitFor(async () => expect((await upgrade(proc.wsUrl)).status).toBe(101));
      for (const socket of open.slice(1)) socket.close();
    } finally {
      await proc.kill('SIGTERM');
    }
  }, 60_000);

  it('fd limits: a soft limit below the hard one is raised to it (prlimit on its own pid)', () => {
    const limits = readFdLimits();
    // Not Linux with util-linux, or no room to lower: nothing to raise with or to.
    if (!hasPrlimit() || !limits || !Number.isFinite(limits.hard) || limits.hard < 512) {
      console.warn('skipped: needs Linux with prlimit (util-linux) and an fd hard limit of 512 or more');
      return;
    }
    // Node raises its own soft limit as it starts, so the child lowers it first, as a shell's ulimit -Sn would.
    const script = `import { execFileSync } from 'node:child_process';
      import { raiseFdSoftLimit } from './apps/server/src/limits/fd-limits.ts';
      execFileSync('prlimit', ['--pid', String(process.pid), '--nofile=256:${limits.hard}']);
      process.stdout.write(JSON.stringify(raiseFdSoftLimit()));`;
    const output = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: join(import.meta.dirname, '../../../..'),
      encoding: 'utf8',
    });
    expect(JSON.parse(output)).toEqual({
      limits: { soft: limits.hard, hard: limits.hard },
      raisedFrom: 256,
      unchangedReason: null,
    });
  }, 60_000);

  it('fd limits: under an fd limit of 256 the server counts what it has open, says how many connections it can hold, and drops sockets past its socket limit with a logged reason, before the kernel runs out', async () => {
    if (!hasPrlimit()) {
      // Not Linux with util-linux: no way to start it under a limit.
      console.warn('skipped: needs Linux with prlimit (util-linux)');
      return;
    }
    const child = spawn(
      'prlimit',
      ['--nofile=256:256', process.execPath, '--import', 'tsx', 'apps/server/src/main.ts'],
      {
        cwd: join(import.meta.dirname, '../../../..'),
        env: {
          ...process.env,
          PORT: '0',
          HOST: '127.0.0.1',
          DATA_DIR: join(dataDir, 'fd-256'),
          JWT_SECRET: '',
          LOG_LEVEL: 'info',
          WEB_DIST_DIR: '/nonexistent',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const sockets: Socket[] = [];
    try {
      await vi.waitFor(() => expect(output).toMatch(/Chat is running at http:\/\/127\.0\.0\.1:\d+/), {
        timeout: 30_000,
      });
      const port = Number(/Chat is running at http:\/\/127\.0\.0\.1:(\d+)/.exec(output)?.[1]);
      const start = logLines(output).find((line) => String(line.msg).startsWith('can hold '));
      expect(start).toMatchObject({ fdSoft: 256, fdHard: 256, fdReserve: 64 });
      const openAtStart = Number(start?.fdOpenAtStart);
      expect(openAtStart).toBeGreaterThan(3);
      const budget = fdBudget(256, openAtStart);
      expect(start).toMatchObject({ ...budget, msg: `can hold ${budget.capacity} connections` });
      // Every socket up to the limit is accepted; the next one is dropped at accept, logged, while descriptors remain.
      for (let index = 0; index <= budget.socketLimit; index++) {
        const socket = connect(port, '127.0.0.1');
        socket.on('error', () => undefined); // the dropped one is reset
        sockets.push(socket);
        await new Promise((resolve) => socket.once('connect', resolve));
      }
      await vi.waitFor(() =>
        expect(
          logLines(output).find(
            (line) => line.msg === 'connection refused: socket limit reached: connection dropped',
          ),
        ).toMatchObject({ level: 40, refusedSinceLastLog: 1 }),
      );
    } finally {
      for (const socket of sockets) socket.destroy();
      child.kill('SIGTERM');
      await exited;
    }
  }, 60_000);

  it('fd limits: /proc/self/limits is read, and the capacity keeps a reserve for storage, HTTP and outbound', () => {
    const file = join(dataDir, 'limits');
    writeFileSync(
      file,
      'Limit                     Soft Limit           Hard Limit           Units\n' +
        'Max open files            20000                unlimited            files\n',
    );
    expect(readFdLimits(file)).toEqual({ soft: 20000, hard: Number.POSITIVE_INFINITY });
    expect(readFdLimits(join(dataDir, 'missing'))).toBeNull();
    expect(fdReserve(1024)).toBe(64);
    // A large limit: what is open at start fits in the reserve.
    expect(fdBudget(20000, 45)).toEqual({ capacity: 19000, socketLimit: 19478 });
    expect(fdBudget(1_048_576, 45).capacity).toBe(1_047_576);
    // A small one: what is open at start comes on top of half the reserve, and the socket limit stays below EMFILE.
    expect(fdBudget(256, 47)).toEqual({ capacity: 177, socketLimit: 193 });
    expect(fdBudget(Number.POSITIVE_INFINITY, 45).capacity).toBe(Number.MAX_SAFE_INTEGER);
    expect(countOpenFds()).toBeGreaterThan(2);
    expect(countOpenFds(join(dataDir, 'missing'))).toBe(0);
  });

  it('listen backlog: the kernel cap (net.core.somaxconn) is read and applied', () => {
    const procSys = join(dataDir, 'sys');
    mkdirSync(join(procSys, 'net/core'), { recursive: true });
    mkdirSync(join(procSys, 'net/ipv4'), { recursive: true });
    writeFileSync(join(procSys, 'net/core/somaxconn'), '4096\n');
    writeFileSync(join(procSys, 'net/ipv4/tcp_max_syn_backlog'), '2048\n');
    expect(listenBacklogFor(8192, procSys)).toEqual({
      requested: 8192,
      somaxconn: 4096,
      synBacklog: 2048,
      effective: 4096,
    });
    expect(listenBacklogFor(511, join(dataDir, 'none'))).toMatchObject({ effective: 511, somaxconn: null });
  });
});
