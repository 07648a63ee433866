import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server';

/**
 * The built web app as the server serves it: compressed copies when the
 * browser takes them, hashed assets cached for a year, everything else
 * revalidated, and a real web app manifest. The app folder is one the test
 * writes (as the build would), with its .br and .gz copies.
 */
const SCRIPT = `console.log(${JSON.stringify('hello '.repeat(400))});`;
const INDEX = `<!doctype html><html><head><link rel="manifest" href="/manifest.webmanifest"></head><body>${'<p>app</p>'.repeat(200)}</body></html>`;
const MANIFEST = JSON.stringify({ name: 'Messages', start_url: '/', display: 'standalone', icons: [] });

let dir: string;
let harness: TestServer;

function writeWithCopies(path: string, content: string): void {
  writeFileSync(path, content);
  writeFileSync(`${path}.br`, brotliCompressSync(content));
  writeFileSync(`${path}.gz`, gzipSync(content));
}

/** A raw GET (fetch would decompress and hide the encoding). */
function get(path: string, acceptEncoding?: string) {
  return new Promise<{
    status: number;
    headers: Record<string, string | string[] | undefined>;
    body: Buffer;
  }>((resolve, reject) => {
    const url = new URL(path, harness.server.url);
    const req = request(
      url,
      { headers: acceptEncoding ? { 'accept-encoding': acceptEncoding } : {} },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'chat-web-'));
  mkdirSync(join(dir, 'assets'));
  writeWithCopies(join(dir, 'index.html'), INDEX);
  writeWithCopies(join(dir, 'assets', 'index-Ab12Cd34.js'), SCRIPT);
  writeFileSync(join(dir, 'manifest.webmanifest'), MANIFEST);
  harness = await startTestServer({ webDistDir: dir });
});
afterAll(async () => {
  await harness.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('static web app', () => {
  it('static: brotli when the browser takes it, else gzip, else the file as it is; always Vary: Accept-Encoding', async () => {
    const br = await get('/assets/index-Ab12Cd34.js', 'gzip, deflate, br');
    expect(br.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(br.body).toString()).toBe(SCRIPT);
    const gz = await get('/assets/index-Ab12Cd34.js', 'gzip');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).toString()).toBe(SCRIPT);
    const plain = await get('/assets/index-Ab12Cd34.js');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(SCRIPT);
    expect(String(br.headers.vary)).toMatch(/accept-encoding/i);
    expect(br.body.length).toBeLessThan(SCRIPT.length / 5);
  });

  it('static: hashed assets are cached for a year, immutable', async () => {
    const asset = await get('/assets/index-Ab12Cd34.js', 'br');
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('static: index.html, client-side routes and the manifest are revalidated', async () => {
    for (const path of ['/', '/index.html', '/manifest.webmanifest']) {
      const response = await get(path, 'br');
      expect(response.status, path).toBe(200);
      expect(response.headers['cache-control'], path).toBe('no-cache');
    }
    const route = await get('/c/some-conversation', 'br');
    expect(route.status).toBe(200);
    expect(route.headers['content-type']).toMatch(/text\/html/);
    expect(route.headers['cache-control']).toBe('no-cache');
  });

  it('static: /manifest.webmanifest is the manifest, not the HTML page', async () => {
    const response = await get('/manifest.webmanifest');
    expect(response.headers['content-type']).toMatch(/application\/manifest\+json/);
    expect(JSON.parse(response.body.toString())).toMatchObject({ name: 'Messages', display: 'standalone' });
  });

  it('static: an unknown API path is a JSON 404, not the app', async () => {
    const response = await get('/api/nope');
    expect(response.status).toBe(404);
    expect(JSON.parse(response.body.toString())).toMatchObject({ error: { code: 'not_found' } });
  });
});
