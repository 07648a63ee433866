import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ServerContext } from '../context';
import { forbidden } from '../domain/chat-error';
import { chatMcpServer } from './mcp-tools';
import { currentUser } from './request-helpers';

/**
 * Section 14: `/mcp`, the Model Context Protocol over Streamable HTTP, for
 * agents. Registered inside the signed-in /api scope, so a request without a
 * valid `Authorization: Bearer` is 401 and each one counts against the REST
 * rate limit. Only an agent's API key is taken: a person's token is 403 (the
 * tools speak for an agent; people have the app and the REST API).
 *
 * Stateless: every POST gets a server and a transport of its own, answered
 * with plain JSON (no session, no SSE), which any MCP client accepts. GET (a
 * stream of server-initiated messages) and DELETE (ending a session) have
 * nothing to serve here: 405, as the specification allows.
 */
export function registerMcpRoutes(api: FastifyInstance, ctx: ServerContext): void {
  api.post('/mcp', async (request, reply) => {
    const agent = currentUser(request);
    if (!agent.is_agent) throw forbidden('/mcp is for agents: authenticate with an agent API key');
    const server = chatMcpServer(ctx, agent);
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    reply.hijack();
    reply.raw.on('close', () => {
      void transport.close();
      void server.close();
    });
    try {
      await server.connect(transport);
      await transport.handleRequest(request.raw, reply.raw, request.body);
    } catch (error) {
      // Hijacked: Fastify's error handler no longer answers for this request.
      request.log.error({ err: error }, 'mcp request failed');
      if (!reply.raw.headersSent) {
        reply.raw.writeHead(500, { 'content-type': 'application/json' });
        reply.raw.end(
          JSON.stringify({ jsonrpc: '2.0', error: { code: -32603, message: 'Internal error' }, id: null }),
        );
      }
    }
  });

  const notHere = async (_request: unknown, reply: FastifyReply) =>
    reply
      .code(405)
      .header('allow', 'POST')
      .send({
        jsonrpc: '2.0',
        error: { code: -32000, message: 'Method not allowed: this server is stateless' },
        id: null,
      });
  api.get('/mcp', notHere);
  api.delete('/mcp', notHere);
}
