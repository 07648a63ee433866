import type { ClientConfig } from '@chat/protocol';
import { USER_SEARCH_LIMIT, UsersQuery } from '@chat/protocol';
import type { FastifyInstance } from 'fastify';
import { authenticateRequest } from '../auth/request-auth';
import type { ServerContext } from '../context';
import { unauthorized } from '../domain/chat-error';
import { directoryEntry, isEmptyDirectoryQuery } from '../domain/user-directory';
import { registerAgentRoutes } from './agent-routes';
import { registerAttachmentDownloads, registerAttachmentUploads } from './attachment-routes';
import { registerConversationRoutes } from './conversation-routes';
import { registerMcpRoutes } from './mcp-routes';
import { registerPushRoutes } from './push-routes';
import { currentUser, parse } from './request-helpers';
import { registerRestRateLimits } from './rest-rate-limits';
import { registerSearchRoutes } from './search-routes';

/** The REST API of docs/protocol.md section 7, under /api. */
export async function registerApiRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const { storage, config } = ctx;
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
      const result = await authenticateRequest(request, ctx.verifier, storage, ctx.knownUsers);
      if (!result.ok) throw unauthorized(result.message);
      request.user = result.user;
    });
    await registerRestRateLimits(api, config);

    // Read fresh: the authenticated user may be one this process kept (its name changed meanwhile).
    api.get('/api/me', async (request) => {
      const user = currentUser(request);
      return { user: (await storage.getUser(user.id)) ?? user };
    });

    /** v2: an empty query finds no one; e-mails only to a query that is a prefix of them. */
    api.get('/api/users', async (request) => {
      const { query = '' } = parse(UsersQuery, request.query, 'query');
      if (isEmptyDirectoryQuery(query)) return { users: [] };
      const found = await storage.searchUsers(query.trim(), currentUser(request).id, USER_SEARCH_LIMIT);
      return { users: found.map((user) => directoryEntry(user, query)) };
    });

    registerConversationRoutes(api, ctx);
    registerSearchRoutes(api, ctx);
    registerPushRoutes(api, ctx);
    registerAgentRoutes(api, ctx);
    registerMcpRoutes(api, ctx);
    await registerAttachmentUploads(api, ctx);
  });
  registerAttachmentDownloads(app, ctx);
}
