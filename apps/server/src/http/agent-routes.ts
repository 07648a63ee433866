import { randomUUID } from 'node:crypto';
import {
  CreateAgentRequest,
  UpdateAgentRequest,
  type Agent,
  type AgentKeyResponse,
  type AgentResponse,
  type AgentsResponse,
  type CreateAgentResponse,
} from '@chat/protocol';
import type { FastifyInstance } from 'fastify';
import { hashAgentKey, newAgentKey, newWebhookSecret } from '../auth/agent-keys';
import { normalizeDisplayName } from '../auth/display-name';
import type { ServerContext } from '../context';
import { checkNotAgent } from '../domain/agent-rules';
import { ChatError, badRequest, forbidden, notFound } from '../domain/chat-error';
import { planRemoveMember } from '../domain/group-rules';
import { ConversationUpdates } from '../realtime/conversation-updates';
import { webhookAddressProblem } from '../webhooks/address-guard';
import { currentUser, parse, parseId } from './request-helpers';

type IdParams = { Params: { id: string } };

/**
 * Agents (docs/protocol.md section 14): a person creates, lists, changes and
 * deletes their own, and replaces an agent's key. The key and the webhook
 * secret are shown once, at creation (and a new key at its replacement).
 */
export function registerAgentRoutes(api: FastifyInstance, ctx: ServerContext): void {
  const { storage, publisher, secretBox, clock, config } = ctx;
  const updates = new ConversationUpdates({ storage, publisher });

  /** The agent, if the caller owns it: 404 unknown (or deleted), 403 someone else's. */
  async function ownAgent(agentId: string, userId: string): Promise<Agent> {
    const agent = await storage.getAgent(agentId);
    if (!agent) throw notFound('agent not found');
    if (agent.owner_id !== userId) throw forbidden('only its owner can change an agent');
    return agent;
  }

  api.post('/api/agents', async (request, reply) => {
    const user = currentUser(request);
    const refusal = checkNotAgent(user, 'create agents');
    if (refusal) throw ChatError.from(refusal);
    const body = parse(CreateAgentRequest, request.body ?? {}, 'body');
    const apiKey = newAgentKey();
    const webhookSecret = newWebhookSecret();
    const agent = await storage.createAgent({
      id: randomUUID(),
      owner_id: user.id,
      display_name: displayName(body.display_name),
      description: emptyToNull(body.description),
      public: body.public ?? false,
      api_key_hash: hashAgentKey(apiKey),
      webhook_secret_sealed: secretBox.seal(webhookSecret),
      now: new Date(clock.now()),
    });
    const created: CreateAgentResponse = { agent, api_key: apiKey, webhook_secret: webhookSecret };
    return reply.status(201).send(created);
  });

  api.get('/api/agents', async (request): Promise<AgentsResponse> => ({
    agents: await storage.listAgents(currentUser(request).id),
  }));

  api.patch<IdParams>('/api/agents/:id', async (request): Promise<AgentResponse> => {
    const user = currentUser(request);
    const id = parseId(request.params.id, 'agent id');
    const changes = parse(UpdateAgentRequest, request.body ?? {}, 'body');
    await ownAgent(id, user.id);
    if (typeof changes.webhook_url === 'string') {
      const problem = await webhookAddressProblem(changes.webhook_url, {
        allowPrivate: config.webhookAllowPrivate,
      });
      if (problem) throw badRequest(`webhook_url refused: ${problem}`);
    }
    const agent = await storage.updateAgent(
      id,
      {
        display_name: changes.display_name === undefined ? undefined : displayName(changes.display_name),
        description: changes.description === undefined ? undefined : emptyToNull(changes.description),
        public: changes.public,
        webhook_url: changes.webhook_url,
      },
      new Date(clock.now()),
    );
    if (!agent) throw notFound('agent not found');
    return { agent };
  });

  /**
   * The agent leaves each of its groups (a `member_left` there, as if it had
   * left itself); its 1:1s keep it as a member that can no longer sign in, so
   * the person keeps the history. Then its row goes (the key stops) and its
   * sockets close. Leaving first makes a retry after a failure finish the job.
   */
  api.delete<IdParams>('/api/agents/:id', async (request, reply) => {
    const user = currentUser(request);
    const id = parseId(request.params.id, 'agent id');
    await ownAgent(id, user.id);
    for (const conversation of await storage.listConversations(id)) {
      if (!conversation.is_group) continue;
      const outcome = await storage.changeGroup({
        conversation_id: conversation.id,
        actor_id: id,
        decide: (facts) => planRemoveMember(facts, id, id),
      });
      if (outcome.status === 'changed') await updates.groupChanged(conversation.id, outcome);
    }
    if (!(await storage.deleteAgent(id))) throw notFound('agent not found');
    await publisher.credentialsRevoked(id, 'agent deleted', null);
    return reply.status(204).send();
  });

  api.post<IdParams>('/api/agents/:id/keys', async (request): Promise<AgentKeyResponse> => {
    const user = currentUser(request);
    const id = parseId(request.params.id, 'agent id');
    await ownAgent(id, user.id);
    const apiKey = newAgentKey();
    const keyHash = hashAgentKey(apiKey);
    if (!(await storage.replaceAgentKey(id, keyHash))) throw notFound('agent not found');
    await publisher.credentialsRevoked(id, 'api key replaced', keyHash);
    return { api_key: apiKey };
  });
}

/** People's display-name rules (auth/display-name.ts); nothing left of it is a 400. */
function displayName(raw: string): string {
  const name = normalizeDisplayName(raw);
  if (name === '') throw badRequest('invalid body: display_name: give a name');
  return name;
}

function emptyToNull(text: string | null | undefined): string | null {
  return text ? text : null;
}
