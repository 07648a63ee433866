import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/**
 * The layer rule of docs/architecture.md, checked through the project's own
 * ESLint configuration: a wrong-way import fails `npm run lint`, and these
 * cases show that it does (and that the right-way ones pass).
 */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../../..');
const SRC = join(ROOT, 'apps/server/src');
const eslint = new ESLint({ cwd: ROOT });

async function layerErrors(file: string, importPath: string): Promise<string[]> {
  const code = `import type * as other from '${importPath}';\nexport type Other = typeof other;\n`;
  const [result] = await eslint.lintText(code, { filePath: join(SRC, file) });
  return (result?.messages ?? [])
    .filter((message) => message.ruleId === 'no-restricted-imports')
    .map((message) => message.message);
}

const wrongWay: Array<[file: string, importPath: string]> = [
  ['domain/x.ts', '../storage/storage'],
  ['domain/x.ts', '../config'],
  ['storage/x.ts', '../realtime/publisher'],
  ['storage/sqlite/x.ts', '../../broker/broker'],
  ['storage/postgres/x.ts', '../../context'],
  ['broker/x.ts', '../storage/storage'],
  ['attachments/x.ts', '../storage/storage'],
  ['attachments/x.ts', '../http/attachment-routes'],
  ['storage/sqlite/x.ts', '../../attachments/attachment-store'],
  ['domain/x.ts', '../attachments/attachment-store'],
  ['push/x.ts', '../storage/storage'],
  ['push/x.ts', '../realtime/notifications'],
  ['storage/x.ts', '../push/push-sender'],
  ['domain/x.ts', '../push/push-sender'],
  ['broker/x.ts', '../realtime/presence'],
  ['auth/x.ts', '../realtime/publisher'],
  ['realtime/x.ts', '../ws/connection'],
  ['realtime/x.ts', '../http/api-routes'],
  ['realtime/x.ts', '../context'],
  ['ws/x.ts', '../http/api-routes'],
  ['ws/handlers/x.ts', '../../server'],
  ['http/x.ts', '../ws/connection'],
  ['config.ts', './storage/storage'],
  ['logger.ts', './realtime/frames'],
  ['webhooks/x.ts', '../realtime/publisher'],
  ['webhooks/x.ts', '../http/api-routes'],
  ['storage/x.ts', '../webhooks/webhooks'],
  ['push/x.ts', '../webhooks/address-guard'],
];

const rightWay: Array<[file: string, importPath: string]> = [
  ['storage/x.ts', '../domain/message-rules'],
  ['storage/postgres/x.ts', './auth'],
  ['storage/postgres/x.ts', '../storage'],
  ['realtime/x.ts', '../broker/broker'],
  ['realtime/x.ts', '../storage/storage'],
  ['realtime/x.ts', '../clock'],
  ['ws/handlers/x.ts', '../../context'],
  ['ws/x.ts', '../realtime/frames'],
  ['http/x.ts', '../auth/request-auth'],
  ['http/x.ts', '../attachments/attachment-store'],
  ['attachments/x.ts', '../domain/rejection'],
  ['attachments/x.ts', '../clock'],
  ['push/x.ts', '../domain/notification-rules'],
  ['realtime/x.ts', '../push/push-sender'],
  ['http/x.ts', '../push/endpoint'],
  ['webhooks/x.ts', '../storage/storage'],
  ['http/x.ts', '../webhooks/address-guard'],
  ['realtime/x.ts', '../webhooks/webhooks'],
];

describe('architecture: layers', () => {
  for (const [file, importPath] of wrongWay) {
    it(`lint refuses ${file} importing ${importPath}`, async () => {
      expect(await layerErrors(file, importPath)).toHaveLength(1);
    });
  }
  for (const [file, importPath] of rightWay) {
    it(`lint accepts ${file} importing ${importPath}`, async () => {
      expect(await layerErrors(file, importPath)).toEqual([]);
    });
  }
});

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

describe('architecture: one home for outbound frames', () => {
  const files = sourceFiles(SRC).map((path) => ({
    path: relative(SRC, path),
    text: readFileSync(path, 'utf8'),
  }));

  it('frames are serialised only in realtime/frames.ts', () => {
    const serialising = files.filter(
      ({ path, text }) =>
        path !== 'realtime/frames.ts' && /JSON\.stringify\(\s*(\{\s*type:|frame\b|\w+Frame\()/.test(text),
    );
    expect(serialising.map(({ path }) => path)).toEqual([]);
  });

  it('only ws/connection.ts writes to a socket', () => {
    const writing = files.filter(
      ({ path, text }) => path !== 'ws/connection.ts' && /\bsocket\.send\(/.test(text),
    );
    expect(writing.map(({ path }) => path)).toEqual([]);
  });

  it('every outbound frame type has a builder typed by the protocol', async () => {
    const frames = files.find(({ path }) => path === 'realtime/frames.ts')?.text ?? '';
    const { ServerFrame } = await import('@chat/protocol');
    const types = ServerFrame.options.map((option) => option.shape.type.value);
    for (const type of types) expect(frames, type).toContain(`ServerFrameOf<'${type}'>`);
  });
});
