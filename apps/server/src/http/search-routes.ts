import { SearchQuery } from '@chat/protocol';
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context';
import { badRequest } from '../domain/chat-error';
import { searchTerms } from '../domain/search-text';
import { currentUser, parse, requireMembership } from './request-helpers';

/** Message search (docs/protocol.md section 12). */
export function registerSearchRoutes(api: FastifyInstance, { storage }: ServerContext): void {
  api.get('/api/search', async (request) => {
    const user = currentUser(request);
    const query = parse(SearchQuery, request.query, 'query');
    const terms = searchTerms(query.q);
    if (!terms) throw badRequest('q must hold at least one word');
    if (query.conversation_id) await requireMembership(storage, query.conversation_id, user.id);
    const { results, has_more } = await storage.searchMessages({
      viewer_id: user.id,
      terms,
      conversation_id: query.conversation_id,
      before: query.before,
      limit: query.limit,
    });
    return {
      results: results.map(({ message, matches }) => ({
        conversation_id: message.conversation_id,
        message,
        matches,
      })),
      has_more,
    };
  });
}
