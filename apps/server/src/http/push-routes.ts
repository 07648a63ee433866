import { PushSubscriptionRequest, PushUnsubscribeRequest, type PushKeyResponse } from '@chat/protocol';
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context';
import { badRequest } from '../domain/chat-error';
import { pushEndpointProblem, pushKeysProblem } from '../push/endpoint';
import { currentUser, parse } from './request-helpers';

/** Section 13: the VAPID key and the caller's push subscriptions. */
export function registerPushRoutes(api: FastifyInstance, ctx: ServerContext): void {
  const { storage, config, clock } = ctx;

  api.get('/api/push/key', async (): Promise<PushKeyResponse> => ({
    public_key: ctx.notifications.publicKey,
  }));

  /** The same endpoint again replaces it, and it becomes the caller's. */
  api.post('/api/push/subscriptions', async (request, reply) => {
    const { endpoint, keys } = parse(PushSubscriptionRequest, request.body, 'body');
    const problem = pushEndpointProblem(endpoint, config.pushAllowPrivate) ?? pushKeysProblem(keys);
    if (problem) throw badRequest(problem);
    await storage.savePushSubscription({
      user_id: currentUser(request).id,
      endpoint,
      p256dh: keys.p256dh,
      auth: keys.auth,
      now: new Date(clock.now()),
    });
    return reply.code(201).send({ endpoint });
  });

  /** Only the caller's own subscription is deleted; 204 either way. */
  api.delete('/api/push/subscriptions', async (request, reply) => {
    const { endpoint } = parse(PushUnsubscribeRequest, request.body, 'body');
    await storage.deletePushSubscription({ user_id: currentUser(request).id, endpoint });
    return reply.code(204).send();
  });
}
