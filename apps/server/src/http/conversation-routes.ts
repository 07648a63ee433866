import {
  AddMembersRequest,
  ChangeRoleRequest,
  CreateConversationRequest,
  MessagesQuery,
  RenameRequest,
  SettingsRequest,
  type Conversation,
} from '@chat/protocol';
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context';
import { ChatError, badRequest, notFound } from '../domain/chat-error';
import {
  planAddMembers,
  planChangeRole,
  planRemoveMember,
  planRename,
  type GroupFacts,
  type GroupPlan,
} from '../domain/group-rules';
import { checkAgentAdd, checkNotAgent } from '../domain/agent-rules';
import type { Rejection } from '../domain/rejection';
import { ConversationUpdates } from '../realtime/conversation-updates';
import { BodySlabs } from './body-slabs';
import { jsonArrayBody } from './json-array-body';
import { currentUser, parse, parseId, requireMembership } from './request-helpers';

type IdParams = { Params: { id: string } };
type MemberParams = { Params: { id: string; user_id: string } };

/** Conversations (docs/protocol.md sections 7 and 9): listing, creation, history, group changes, settings. */
export function registerConversationRoutes(api: FastifyInstance, ctx: ServerContext): void {
  const { storage, publisher, config } = ctx;
  const updates = new ConversationUpdates({ storage, publisher });

  async function viewOf(conversationId: string, userId: string): Promise<Conversation> {
    const conversation = await storage.getConversation(conversationId, userId);
    if (!conversation) throw notFound('conversation not found');
    return conversation;
  }

  /** One group change: plan, apply, announce; answers the caller's view of the result. */
  async function changeGroup(
    conversationId: string,
    actorId: string,
    decide: (facts: GroupFacts) => Rejection | GroupPlan,
  ): Promise<void> {
    const outcome = await storage.changeGroup({ conversation_id: conversationId, actor_id: actorId, decide });
    if (outcome.status === 'rejected') throw ChatError.from(outcome);
    if (outcome.status === 'changed') await updates.groupChanged(conversationId, outcome);
  }

  /** Each must exist; an agent (section 14) only as domain/agent-rules allows `actorId`. */
  async function requireUsers(actorId: string, userIds: readonly string[]): Promise<void> {
    const users = await Promise.all(userIds.map((id) => storage.getUser(id)));
    const missing = userIds.filter((_, index) => users[index] === null);
    if (missing.length > 0) throw notFound(`unknown user: ${missing.join(', ')}`);
    for (const user of users) {
      if (!user?.is_agent) continue;
      const refusal = checkAgentAdd(await storage.getAgent(user.id), actorId, user.id);
      if (refusal) throw ChatError.from(refusal);
    }
  }

  // The storage answers each conversation as JSON text (issue 13): written as is,
  // never parsed and serialised again here, into memory the last listing used.
  const listBodies = new BodySlabs();
  api.get('/api/conversations', async (request, reply) => {
    const conversations = await storage.listConversationsJson(currentUser(request).id);
    const body = jsonArrayBody('conversations', conversations, (size) => listBodies.take(size, reply.raw));
    return reply.type('application/json; charset=utf-8').send(body);
  });

  api.post('/api/conversations', async (request, reply) => {
    const user = currentUser(request);
    const agentRefusal = checkNotAgent(user, 'create conversations');
    if (agentRefusal) throw ChatError.from(agentRefusal);
    const body = parse(CreateConversationRequest, request.body ?? {}, 'body');
    const otherIds = [...new Set(body.member_ids)].filter((id) => id !== user.id);
    if (otherIds.length === 0) throw badRequest('name at least one other member');
    await requireUsers(user.id, otherIds);
    if (otherIds.length + 1 > config.maxGroupMembers) {
      throw new ChatError('conflict', `a group holds at most ${config.maxGroupMembers} members`);
    }
    const title = otherIds.length > 1 && body.title ? body.title : null;
    const { id, created } = await storage.createConversation({ creatorId: user.id, otherIds, title });
    const conversation = await viewOf(id, user.id);
    if (created) await publisher.conversationCreated(conversation, [user.id, ...otherIds]);
    return reply.status(created ? 201 : 200).send({ conversation });
  });

  api.get<IdParams>('/api/conversations/:id', async (request) => {
    const user = currentUser(request);
    const id = parseId(request.params.id, 'conversation id');
    await requireMembership(storage, id, user.id);
    return { conversation: await viewOf(id, user.id) };
  });

  api.get<IdParams>('/api/conversations/:id/messages', async (request) => {
    const user = currentUser(request);
    const id = parseId(request.params.id, 'conversation id');
    const query = parse(MessagesQuery, request.query, 'query');
    await requireMembership(storage, id, user.id);
    return storage.messagesBefore(id, query.before_seq, query.limit);
  });

  api.patch<IdParams>('/api/conversations/:id', async (request) => {
    const user = currentUser(request);
    const id = parseId(request.params.id, 'conversation id');
    const { title } = parse(RenameRequest, request.body ?? {}, 'body');
    await changeGroup(id, user.id, (facts) => planRename(facts, user.id, title));
    return { conversation: await viewOf(id, user.id) };
  });

  api.post<IdParams>('/api/conversations/:id/members', async (request) => {
    const user = currentUser(request);
    const id = parseId(request.params.id, 'conversation id');
    const { user_ids: userIds } = parse(AddMembersRequest, request.body ?? {}, 'body');
    await requireUsers(user.id, [...new Set(userIds)]);
    await changeGroup(id, user.id, (facts) =>
      planAddMembers(facts, user.id, userIds, config.maxGroupMembers),
    );
    return { conversation: await viewOf(id, user.id) };
  });

  api.delete<MemberParams>('/api/conversations/:id/members/:user_id', async (request, reply) => {
    const user = currentUser(request);
    const id = parseId(request.params.id, 'conversation id');
    const target = parseId(request.params.user_id, 'user id');
    await changeGroup(id, user.id, (facts) => planRemoveMember(facts, user.id, target));
    return reply.status(204).send();
  });

  api.patch<MemberParams>('/api/conversations/:id/members/:user_id', async (request) => {
    const user = currentUser(request);
    const id = parseId(request.params.id, 'conversation id');
    const target = parseId(request.params.user_id, 'user id');
    const { role } = parse(ChangeRoleRequest, request.body ?? {}, 'body');
    await changeGroup(id, user.id, (facts) => planChangeRole(facts, user.id, target, role));
    return { conversation: await viewOf(id, user.id) };
  });

  api.patch<IdParams>('/api/conversations/:id/settings', async (request) => {
    const user = currentUser(request);
    const id = parseId(request.params.id, 'conversation id');
    const changes = parse(SettingsRequest, request.body ?? {}, 'body');
    const outcome = await storage.updateSettings({
      conversation_id: id,
      user_id: user.id,
      // Stored as the server writes times, so every driver hands back the same text.
      changes: { ...changes, muted_until: normaliseTime(changes.muted_until) },
      now: new Date(ctx.clock.now()),
    });
    if (outcome.status === 'rejected') throw ChatError.from(outcome);
    await updates.memberViewChanged(id, user.id);
    return { conversation: await viewOf(id, user.id) };
  });
}

function normaliseTime(time: string | null | undefined): string | null | undefined {
  return typeof time === 'string' ? new Date(time).toISOString() : time;
}
