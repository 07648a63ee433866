import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { startChatServer } from '../chat-server';
import { serverFailures, type BenchContext } from '../context';
import { mib, table, type ScenarioReport } from '../format';
import { readRssBytes } from '../proc-stats';
import { provisionUsers } from '../provision';
import { mintUsers, type BenchUser } from '../tokens';

/**
 * Scenario 7: one large upload (docs/protocol.md section 11) and what it costs
 * the server's memory. A 25 MiB file (MAX_ATTACHMENT_BYTES, random bytes: a
 * file that is streamed, not an image that is decoded) is POSTed in 64 KiB
 * chunks while the server process's RSS is sampled every 10 ms; the growth is
 * the peak over the RSS just before. Target (issue 9, acceptance 4): under
 * 10 MB, which a server holding the file in memory cannot meet.
 */
const FILE_BYTES = 25 * 1024 * 1024;
const CHUNK = 64 * 1024;
const RUNS = 3;
const TARGET_BYTES = 10 * 1000 * 1000;
const SAMPLE_MS = 10;

/** Streams `size` random bytes as the body of POST /api/attachments; resolves with the status. */
function upload(baseUrl: string, user: BenchUser, size: number): Promise<number> {
  const url = new URL(`${baseUrl}/api/attachments?name=bench.bin`);
  // One random chunk repeated: the server must not care, and the bench must not spend memory either.
  const chunk = randomBytes(CHUNK);
  const body = Readable.from(
    (function* () {
      for (let sent = 0; sent < size; sent += CHUNK) yield chunk.subarray(0, Math.min(CHUNK, size - sent));
    })(),
  );
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        method: 'POST',
        headers: {
          authorization: `Bearer ${user.token}`,
          'content-type': 'application/octet-stream',
          'content-length': String(size),
        },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    pipeline(body, req).catch(reject);
  });
}

export async function runUpload(ctx: BenchContext): Promise<ScenarioReport> {
  const { failures, repoRoot } = ctx;
  const server = await startChatServer(repoRoot, { synchronous: 'NORMAL' });
  const rows: string[][] = [];
  try {
    const [user] = await mintUsers(server.jwtSecret, 1, 'upload');
    if (!user) throw new Error('no user');
    await provisionUsers(server.url, [user]);
    // Warm-up: the upload path's code, parsers and file-type's tables loaded before measuring.
    for (const size of [1024 * 1024, FILE_BYTES]) {
      const status = await upload(server.url, user, size);
      if (status !== 201) throw new Error(`warm-up upload: HTTP ${status}`);
    }
    for (let run = 1; run <= RUNS; run++) {
      const before = readRssBytes(server.pid);
      let peak = before;
      const sampler = setInterval(() => {
        peak = Math.max(peak, readRssBytes(server.pid));
      }, SAMPLE_MS);
      const started = performance.now();
      let status: number;
      try {
        status = await upload(server.url, user, FILE_BYTES);
      } finally {
        clearInterval(sampler);
      }
      const seconds = (performance.now() - started) / 1000;
      peak = Math.max(peak, readRssBytes(server.pid));
      const growth = peak - before;
      const met = status === 201 && growth < TARGET_BYTES ? 'met' : 'not met';
      if (status !== 201) failures.push(`upload run ${run}: HTTP ${status}`);
      console.log(
        `  run ${run}: HTTP ${status}, RSS ${mib(before)} -> peak ${mib(peak)} (+${mib(growth)}), ` +
          `${(FILE_BYTES / 1024 / 1024 / seconds).toFixed(0)} MiB/s (${met})`,
      );
      rows.push([
        String(run),
        String(status),
        mib(before),
        mib(peak),
        mib(growth),
        (FILE_BYTES / 1024 / 1024 / seconds).toFixed(0),
        met,
      ]);
    }
  } finally {
    failures.push(...serverFailures('upload', server, await server.dispose()));
  }
  return {
    title: '7. A 25 MiB upload and the server memory',
    markdown: [
      `\`POST /api/attachments\` of a ${FILE_BYTES / 1024 / 1024} MiB file (random bytes, streamed in ` +
        `${CHUNK / 1024} KiB chunks) to a server on SQLite with attachments on its disk, after two warm-up ` +
        `uploads; the server process's RSS sampled every ${SAMPLE_MS} ms. Target (issue 9): RSS growth under ` +
        `10 MB (the file is streamed, never held whole).`,
      '',
      table(['Run', 'HTTP', 'RSS before', 'RSS peak', 'Growth', 'MiB/s', 'growth < 10 MB'], rows),
    ].join('\n'),
  };
}
