import type { WebSocketLike } from '@chat/client';
import { Agent } from '../agent';
import type { ChatModel } from '../models/chat-model';

export interface AssistantOptions {
  chatUrl: string;
  apiKey: string;
  model: ChatModel;
  systemPrompt: string;
  historyLimit: number;
  WebSocket: WebSocketLike;
  /** One line of what it is doing. */
  log: (line: string) => void;
}

/**
 * The assistant of `npm run agent`: in every conversation it is in, each new message from a
 * person is answered by the model, streamed (a member's "Stop generating" cancels the model's
 * request). The Agent SDK does the rest.
 */
export function startAssistant(options: AssistantOptions): Agent {
  const agent = new Agent({ url: options.chatUrl, apiKey: options.apiKey, WebSocket: options.WebSocket });
  agent.onMessage(async (message, ctx) => {
    ctx.status('thinking');
    const context = [
      { role: 'system' as const, content: options.systemPrompt },
      ...ctx.history(options.historyLimit),
    ];
    const result = await ctx.stream((signal) => options.model.stream(context, { signal }));
    const note = result.error === undefined ? '' : `: ${String(result.error)}`;
    options.log(
      `answered ${message.id} in ${ctx.conversationId}: ${result.state}, ${result.text.length} characters${note}`,
    );
  });
  agent.onError((error, message) => options.log(`could not answer ${message.id}: ${String(error)}`));
  agent.client.on('status', (status) => options.log(`connection: ${status}`));
  agent.client.on('authenticated', (user) => options.log(`signed in as ${user.display_name} (${user.id})`));
  agent.start();
  return agent;
}
