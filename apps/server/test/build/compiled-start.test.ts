import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const SERVER_SRC = join(ROOT, 'apps/server/src');
const SERVER_DIST = join(ROOT, 'apps/server/dist');
const WEB_DIST = join(ROOT, 'apps/web/dist');
const READY = /Chat is running at (http:\/\/\S+)/;

/** Runs `command` from the root and resolves with its output; rejects on a non-zero exit. */
function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve(output) : reject(new Error(`${args.join(' ')} exited ${code}:\n${output}`)),
    );
  });
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

/** The compiled server as `npm start` runs it: plain node, no TypeScript loader, default web app. */
async function startCompiled(dataDir: string): Promise<{ url: string; child: ChildProcess }> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
  };
  // Nothing may hand it a loader, and it finds the web app on its own.
  for (const key of [
    'NODE_OPTIONS',
    'WEB_DIST_DIR',
    'JWT_SECRET',
    'DATABASE_URL',
    'REDIS_URL',
    'SUPABASE_URL',
  ]) {
    delete env[key];
  }
  const child = spawn(process.execPath, ['--enable-source-maps', join(SERVER_DIST, 'main.js')], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the compiled server did not start:\n${output}`));
    }, 30_000);
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = READY.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the compiled server exited (${code}) before starting:\n${output}`));
    });
  });
  return { url, child };
}

describe('production build', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'chat-build-'));
  let buildOutput = '';

  beforeAll(async () => {
    // Incremental, as `npm start` runs it: builds what changed since the last build.
    buildOutput = await run(process.execPath, ['scripts/build.mjs']);
  }, 240_000);
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('start: node runs apps/server/dist/main.js without a TypeScript loader, and it serves /healthz, its migrated database and the web app', async () => {
    const { url, child } = await startCompiled(dataDir);
    try {
      expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: 'ok' });
      expect(await (await fetch(`${url}/readyz`)).json()).toMatchObject({
        status: 'ready',
        storage: 'sqlite',
      });

      const indexHtml = readFileSync(join(WEB_DIST, 'index.html'), 'utf8');
      const home = await fetch(`${url}/`);
      expect(home.headers.get('content-type')).toMatch(/text\/html/);
      expect(await home.text()).toBe(indexHtml);
      const script = /<script[^>]+src="(\/assets\/[^"]+\.js)"/.exec(indexHtml)?.[1];
      expect(script).toBeDefined();
      const asset = await fetch(`${url}${script}`);
      expect(asset.status).toBe(200);
      expect(asset.headers.get('content-type')).toMatch(/javascript/);
      // A client-side route gets the app too; the build stamp is not served.
      expect(await (await fetch(`${url}/c/some-conversation`)).text()).toBe(indexHtml);
      expect(await (await fetch(`${url}/.build-stamp.json`)).text()).toBe(indexHtml);
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  }, 60_000);

  it('start: the compiled SQLite writer thread and its checkpointer thread each hold a connection to the database', async () => {
    const { child } = await startCompiled(dataDir);
    try {
      // A connection holds a descriptor on chat.db itself: the main thread's, the writer's and the
      // checkpointer's, which the writer starts from its own bundle (dist/sqlite-append-worker.js).
      const database = join(dataDir, 'chat.db');
      const connections = () =>
        readdirSync(`/proc/${child.pid}/fd`).filter((fd) => {
          try {
            return readlinkSync(`/proc/${child.pid}/fd/${fd}`) === database;
          } catch {
            return false; // closed since listed
          }
        }).length;
      await expect.poll(connections, { timeout: 10_000 }).toBe(3);
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  }, 60_000);

  it('build: the web app is the production build whatever NODE_ENV the caller had (Vitest sets test)', () => {
    const scripts = readdirSync(join(WEB_DIST, 'assets')).filter((file) => file.endsWith('.js'));
    const code = scripts.map((file) => readFileSync(join(WEB_DIST, 'assets', file), 'utf8')).join('\n');
    // React's development bundle says this; the production one does not, and only it registers the service worker.
    expect(code).not.toContain('Download the React DevTools');
    expect(code).toContain('serviceWorker');
  });

  it('build: dist mirrors the non-code files of src (the SQL migrations) that the server reads at run time', () => {
    const assets = filesUnder(SERVER_SRC).filter((file) => !/\.[cm]?[jt]sx?$/.test(file));
    expect(assets.some((file) => file.endsWith('.sql'))).toBe(true);
    for (const file of assets) {
      const copy = join(SERVER_DIST, relative(SERVER_SRC, file));
      expect(readFileSync(copy, 'utf8'), copy).toBe(readFileSync(file, 'utf8'));
    }
  });

  it('build: the bundle keeps npm packages as imports, inlines the workspace packages and maps back to the TypeScript', () => {
    const bundle = readFileSync(join(SERVER_DIST, 'main.js'), 'utf8');
    expect(bundle).toMatch(/from "fastify"/);
    expect(bundle).not.toMatch(/from "@chat\//);
    expect(bundle).not.toMatch(/\btsx\b/);
    const map = JSON.parse(readFileSync(join(SERVER_DIST, 'main.js.map'), 'utf8')) as { sources: string[] };
    expect(map.sources).toContain('../src/main.ts');
    expect(map.sources.some((source) => source.includes('packages/protocol/src/'))).toBe(true);
  });

  it('build: with unchanged inputs a second build rebuilds nothing', async () => {
    const before = statSync(join(SERVER_DIST, 'main.js')).mtimeMs;
    const webBefore = statSync(join(WEB_DIST, 'index.html')).mtimeMs;
    const output = await run(process.execPath, ['scripts/build.mjs']);
    expect(output, `first build:\n${buildOutput}`).toMatch(/up to date/);
    expect(output).not.toMatch(/building/);
    expect(statSync(join(SERVER_DIST, 'main.js')).mtimeMs).toBe(before);
    expect(statSync(join(WEB_DIST, 'index.html')).mtimeMs).toBe(webBefore);
  }, 60_000);
});
