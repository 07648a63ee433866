import type { ClientConfig } from '@chat/protocol';
import {
  CreateConversationRequest,
  MessagesQuery,
  USER_SEARCH_LIMIT,
  UsersQuery,
  Id,
  type User,
} from '@chat/protocol';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { authenticateRequest } from '../auth/request-auth';
import { ChatError, badRequest, notFound, unauthorized } from '../domain/chat-error';
import { checkMembership } from '../domain/membership-rules';
import type { ServerContext } from '../context';

declare module 'fastify' {
  interface FastifyRequest {
    user: User | null;
  }
}

function parse<T extends z.ZodType>(schema: T, value: unknown, what: string): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
  throw badRequest(`invalid ${what}: ${where}${issue?.message ?? 'invalid'}`);
}

function currentUser(request: FastifyRequest): User {
  if (!request.user) throw unauthorized('sign in first');
  return request.user;
}

/** The REST API of docs/protocol.md section 7, under /api. */
export async function registerApiRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const { storage, publisher, config } = ctx;
  app.decorateRequest('user', null);

  /** Public: tells a web app where its auth is, so one build serves both modes. */
  app.get('/api/config', async (): Promise<ClientConfig> => {
    if (config.supabaseUrl) {
      return {
        auth_mode: 'supabase',
        supabase_url: config.supabaseUrl,
        supabase_anon_key: config.supabaseAnonKey ?? '',
      };
    }
    return { auth_mode: 'embedded', supabase_url: null, supabase_anon_key: 'embedded-anon-key' };
  });

  await app.register(async (api) => {
    api.addHook('preHandler', async (request) => {
      const result = await authenticateRequest(request, ctx.verifier, storage);
      if (!result.ok) throw unauthorized(result.message);
      request.user = result.user;
    });

    api.get('/api/me', async (request) => ({ user: currentUser(request) }));

    api.get('/api/users', async (request) => {
      const { query } = parse(UsersQuery, request.query, 'query');
      const user = currentUser(request);
      return { users: await storage.searchUsers(query?.trim() ?? '', user.id, USER_SEARCH_LIMIT) };
    });

    api.get('/api/conversations', async (request) => ({
      conversations: await storage.listConversations(currentUser(request).id),
    }));

    api.post('/api/conversations', async (request, reply) => {
      const user = currentUser(request);
      const body = parse(CreateConversationRequest, request.body ?? {}, 'body');
      const otherIds = [...new Set(body.member_ids)].filter((id) => id !== user.id);
      if (otherIds.length === 0) throw badRequest('name at least one other member');
      const users = await Promise.all(otherIds.map((id) => storage.getUser(id)));
      const missing = otherIds.filter((_, index) => users[index] === null);
      if (missing.length > 0) throw notFound(`unknown user: ${missing.join(', ')}`);
      const title = otherIds.length > 1 && body.title ? body.title : null;
      const { id, created } = await storage.createConversation({ creatorId: user.id, otherIds, title });
      const conversation = await storage.getConversation(id, user.id);
      if (!conversation) throw new ChatError('internal', 'conversation vanished');
      if (created) await publisher.conversationCreated(conversation, [user.id, ...otherIds]);
      return reply.status(created ? 201 : 200).send({ conversation });
    });

    api.get<{ Params: { id: string } }>('/api/conversations/:id', async (request) => {
      const user = currentUser(request);
      const id = parse(Id, request.params.id, 'conversation id');
      await requireMembership(ctx, id, user.id);
      const conversation = await storage.getConversation(id, user.id);
      if (!conversation) throw notFound('conversation not found');
      return { conversation };
    });

    api.get<{ Params: { id: string } }>('/api/conversations/:id/messages', async (request) => {
      const user = currentUser(request);
      const id = parse(Id, request.params.id, 'conversation id');
      const query = parse(MessagesQuery, request.query, 'query');
      await requireMembership(ctx, id, user.id);
      return storage.messagesBefore(id, query.before_seq, query.limit);
    });
  });
}

async function requireMembership(ctx: ServerContext, conversationId: string, userId: string): Promise<void> {
  const refusal = checkMembership(await ctx.storage.membership(conversationId, userId));
  if (refusal) throw ChatError.from(refusal);
}
