import { randomUUID } from 'node:crypto';
import { Id, type Attachment } from '@chat/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { attachmentKeys } from '../attachments/open-attachment-store';
import { ingest } from '../attachments/ingest';
import { isRasterImage } from '../attachments/detect-type';
import type { ByteRange } from '../attachments/attachment-store';
import type { Variant } from '../attachments/signing';
import { authenticateRequest } from '../auth/request-auth';
import type { ServerContext } from '../context';
import { badRequest, unauthorized } from '../domain/chat-error';
import { toAttachment, type NewAttachment } from '../storage/storage';
import { currentUser } from './request-helpers';
import { errorBody } from './rest-errors';

/** Longest file name kept, in code points; longer ones are cut (the extension kept). */
const MAX_NAME = 255;

/**
 * Uploads (section 11), inside the authenticated /api scope. The body is never
 * parsed: a content-type parser for every type hands the raw request stream on,
 * and this encapsulated context is the only one that has it.
 */
export async function registerAttachmentUploads(api: FastifyInstance, ctx: ServerContext): Promise<void> {
  await api.register(async (uploads) => {
    // Fastify's own JSON and text parsers would read those types whole.
    uploads.removeAllContentTypeParsers();
    uploads.addContentTypeParser('*', (_request, payload, done) => done(null, payload));

    uploads.post('/api/attachments', async (request, reply) => {
      const user = currentUser(request);
      const name = fileName((request.query as { name?: unknown }).name);
      const declared = request.headers['content-length'];
      if (declared === undefined || !/^\d+$/.test(declared)) {
        return refuse(reply, 411, 'Content-Length is required');
      }
      const { attachments } = ctx;
      if (Number(declared) > attachments.maxBytes) return tooLarge(reply, attachments.maxBytes);
      const id = randomUUID();
      const keys = attachmentKeys(id);
      const outcome = await ingest({
        body: request.raw,
        maxBytes: attachments.maxBytes,
        store: attachments.store,
        keys,
      });
      if (outcome.status === 'too_large') return tooLarge(reply, attachments.maxBytes);
      if (outcome.status === 'unreadable_image') throw badRequest('the image cannot be read');
      const record = {
        id,
        uploader_id: user.id,
        name,
        mime_type: outcome.mime_type,
        size: outcome.size,
        width: outcome.width,
        height: outcome.height,
        storage_key: keys.original,
        thumbnail_key: outcome.thumbnail ? keys.thumbnail : null,
        url: attachments.signer.path(id, 'original'),
        thumbnail_url: outcome.thumbnail ? attachments.signer.path(id, 'thumbnail') : null,
        created_at: new Date(ctx.clock.now()),
      };
      try {
        await ctx.storage.createAttachment(record);
      } catch (error) {
        // Bytes without a record would never be swept: remove them, then fail the request.
        await Promise.all([keys.original, keys.thumbnail].map((key) => attachments.store.delete(key)));
        throw error;
      }
      const attachment: Attachment = toAttachment(record);
      return reply.status(201).send({ attachment });
    });
  });
}

/**
 * Downloads (section 11), outside the authenticated scope: a valid signature
 * needs no header; without one, a bearer token of someone who may read it.
 * Everyone else, and everyone once it is deleted, gets 404.
 */
export function registerAttachmentDownloads(app: FastifyInstance, ctx: ServerContext): void {
  const serve = (variant: Variant) => async (request: FastifyRequest, reply: FastifyReply) => {
    const { id } = request.params as { id: string };
    const { sig } = request.query as { sig?: unknown };
    if (!Id.safeParse(id).success) return notFound(reply);
    const stored = await ctx.storage.getAttachment(id);
    const key = stored && (variant === 'original' ? stored.storage_key : stored.thumbnail_key);
    if (!stored || !key) return notFound(reply);
    if (!ctx.attachments.signer.verify(id, variant, sig)) {
      if (request.headers.authorization === undefined) return notFound(reply);
      const auth = await authenticateRequest(request, ctx.verifier, ctx.storage, ctx.knownUsers);
      if (!auth.ok) throw unauthorized(auth.message);
      if (!(await ctx.storage.canReadAttachment(id, auth.user.id))) return notFound(reply);
    }
    const range = toByteRange(parseRange(request.headers.range), variant === 'original' ? stored.size : null);
    const got = await ctx.attachments.store.get(key, range ?? undefined);
    if (got.status === 'not_found') return notFound(reply);
    setDownloadHeaders(reply, stored);
    if (got.status === 'range_not_satisfiable') {
      return reply.status(416).header('content-range', `bytes */${got.size}`).send();
    }
    reply.header('content-length', got.size === 0 ? 0 : got.end - got.start + 1);
    if (range && got.size > 0) {
      reply.status(206).header('content-range', `bytes ${got.start}-${got.end}/${got.size}`);
    }
    return reply.send(got.body);
  };
  const options = {
    exposeHeadRoute: false,
    // After the app's own onSend (no-store on /api): these may be kept by the browser, never by a proxy.
    onSend: async (_request: FastifyRequest, reply: FastifyReply) => {
      if (reply.statusCode < 300) reply.header('cache-control', 'private, max-age=86400');
    },
  };
  app.get('/api/attachments/:id', options, serve('original'));
  app.get('/api/attachments/:id/thumbnail', options, serve('thumbnail'));
}

function setDownloadHeaders(reply: FastifyReply, stored: Pick<NewAttachment, 'mime_type' | 'name'>): void {
  const inline = isRasterImage(stored.mime_type);
  reply
    .type(stored.mime_type)
    .header('x-content-type-options', 'nosniff')
    .header('accept-ranges', 'bytes')
    // Should a browser render it anyway, it runs nothing and reaches nothing.
    .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; sandbox")
    .header('content-disposition', contentDisposition(inline ? 'inline' : 'attachment', stored.name));
}

/** RFC 6266: an ASCII fallback and the UTF-8 name (RFC 8187). */
function contentDisposition(kind: 'inline' | 'attachment', name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  const encoded = encodeURIComponent(name).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/**
 * One range of `bytes=a-b`, `bytes=a-` or `bytes=-n`. Anything else (several
 * ranges, other units, garbage) is ignored and the whole file served, as RFC
 * 9110 allows.
 */
export function parseRange(header: string | undefined): ByteRange | { suffix: number } | null {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header?.trim() ?? '');
  if (!match) return null;
  const [, from = '', to = ''] = match;
  if (from === '' && to === '') return null;
  if (from === '') return { suffix: Number(to) };
  const start = Number(from);
  const end = to === '' ? Number.MAX_SAFE_INTEGER : Number(to);
  return end < start ? null : { start, end };
}

/** A suffix range needs the size, known from the record for originals; thumbnails are then served whole. */
function toByteRange(range: ReturnType<typeof parseRange>, size: number | null): ByteRange | null {
  if (!range || !('suffix' in range)) return range;
  if (size === null || range.suffix === 0) return null;
  return { start: Math.max(0, size - range.suffix), end: size - 1 };
}

function fileName(value: unknown): string {
  if (typeof value !== 'string') throw badRequest('name is required');
  // Only the last path segment, without control characters: a name is shown and downloaded, never a path.
  const base = value.split(/[/\\]/).pop() ?? '';
  const clean = [...base]
    .filter((c) => c.charCodeAt(0) >= 0x20 && c !== '\u007f')
    .join('')
    .trim();
  if (clean === '' || clean === '.' || clean === '..') throw badRequest('name must name a file');
  const points = [...clean];
  if (points.length <= MAX_NAME) return clean;
  const dot = clean.lastIndexOf('.');
  const extension = dot > 0 && clean.length - dot <= 16 ? clean.slice(dot) : '';
  return points.slice(0, MAX_NAME - [...extension].length).join('') + extension;
}

function refuse(reply: FastifyReply, status: number, message: string) {
  return reply.status(status).send(errorBody('bad_request', message));
}

function tooLarge(reply: FastifyReply, maxBytes: number) {
  // The rest of the body is not worth reading: close the connection once the answer is out.
  reply.header('connection', 'close');
  return refuse(reply, 413, `attachments may be at most ${maxBytes} bytes`);
}

function notFound(reply: FastifyReply) {
  return reply.status(404).send(errorBody('not_found', 'attachment not found'));
}
