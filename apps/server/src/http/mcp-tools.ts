import { randomUUID } from 'node:crypto';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import {
  HISTORY_DEFAULT_LIMIT,
  HISTORY_MAX_LIMIT,
  Id,
  SEARCH_DEFAULT_LIMIT,
  bodyProblem,
  type Message,
  type User,
} from '@chat/protocol';
import { z } from 'zod';
import type { ServerContext } from '../context';
import { checkMembership } from '../domain/membership-rules';
import { searchTerms } from '../domain/search-text';

/** A tool's answer: its JSON as text content, as MCP clients and models read it. */
const json = (value: unknown): CallToolResult => ({
  content: [{ type: 'text', text: JSON.stringify(value) }],
});

/** A refusal the model can read and act on; the call itself succeeded (MCP's `isError`). */
const refusal = (reason: string): CallToolResult => ({
  content: [{ type: 'text', text: reason }],
  isError: true,
});

/**
 * Section 14, MCP: the chat as tools for the agent `agent`, one server per
 * request (the transport is stateless). Each tool acts as the agent would
 * over REST or the socket, with the same rules: only its own conversations,
 * refusals as tool errors with the reason, never a crash of the request.
 */
export function chatMcpServer(ctx: ServerContext, agent: User): McpServer {
  const server = new McpServer({ name: 'chat', version: '1.0.0' });
  const { storage } = ctx;

  /** Null when the agent is a member, else why not. */
  const notMember = async (conversationId: string): Promise<string | null> => {
    const rejection = checkMembership(await storage.membership(conversationId, agent.id));
    return rejection ? `${rejection.code}: ${rejection.message}` : null;
  };

  server.registerTool(
    'list_conversations',
    {
      description:
        'The conversations you are a member of, most recent activity first, each with its members and last message.',
      inputSchema: {},
    },
    async () => json({ conversations: await storage.listConversations(agent.id) }),
  );

  server.registerTool(
    'read_messages',
    {
      description: `Messages of one of your conversations in seq order: the newest ${HISTORY_DEFAULT_LIMIT} (at most ${HISTORY_MAX_LIMIT}), or those before before_seq.`,
      inputSchema: {
        conversation_id: Id,
        before_seq: z.int().positive().optional(),
        limit: z.int().positive().optional(),
      },
    },
    async ({ conversation_id, before_seq, limit }) => {
      const refused = await notMember(conversation_id);
      if (refused) return refusal(refused);
      const page = Math.min(limit ?? HISTORY_DEFAULT_LIMIT, HISTORY_MAX_LIMIT);
      return json(await storage.messagesBefore(conversation_id, before_seq, page));
    },
  );

  server.registerTool(
    'send_message',
    {
      description:
        'Sends a text message to one of your conversations, optionally as a reply to one of its messages.',
      inputSchema: { conversation_id: Id, body: z.string(), reply_to: Id.optional() },
    },
    async ({ conversation_id, body, reply_to }) => {
      const problem = bodyProblem(body);
      if (problem) return refusal(`bad_request: ${problem}`);
      const sent = await sendAsMember(ctx, {
        conversation_id,
        sender_id: agent.id,
        body,
        reply_to: reply_to ?? null,
      });
      return 'refused' in sent ? refusal(sent.refused) : json({ message: sent.message });
    },
  );

  server.registerTool(
    'search_messages',
    {
      description:
        'Finds messages of your conversations holding every word of q (any order, case and accents ignored, the last word may be a prefix), newest first.',
      inputSchema: { q: z.string() },
    },
    async ({ q }) => {
      const terms = searchTerms(q);
      if (!terms) return refusal('bad_request: q must hold at least one word');
      const { results, has_more } = await storage.searchMessages({
        viewer_id: agent.id,
        terms,
        limit: SEARCH_DEFAULT_LIMIT,
      });
      return json({
        results: results.map(({ message, matches }) => ({
          conversation_id: message.conversation_id,
          message,
          matches,
        })),
        has_more,
      });
    },
  );

  return server;
}

/**
 * A send through the socket's own path: the send queue's group commit (so
 * seqs stay gapless), then what follows an ack there: the broadcast, pushes,
 * webhooks, and the end of the sender's typing and status. A fresh client_id
 * per call: a tool call is not retried by a client outbox.
 */
async function sendAsMember(
  ctx: ServerContext,
  input: { conversation_id: string; sender_id: string; body: string; reply_to: string | null },
): Promise<{ message: Message } | { refused: string }> {
  const outcome = await ctx.sendQueue.enqueue({
    ...input,
    client_id: randomUUID(),
    mentions: [],
    attachment_ids: [],
  });
  if (outcome.status === 'rejected') return { refused: `${outcome.code}: ${outcome.message}` };
  const { message } = outcome;
  if (outcome.status === 'created') {
    ctx.metrics.messagesPersisted.inc();
    void ctx.publisher.messageCreated(message);
    ctx.notifications.messageStored(message);
    ctx.webhooks.messageFinished(message);
    ctx.typing.end(message.conversation_id, message.sender_id);
    ctx.agentStatus.end(message.conversation_id, message.sender_id);
  }
  return { message };
}
