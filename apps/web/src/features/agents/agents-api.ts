import type { ChatClient } from '@chat/client';
import type { Agent, CreateAgentRequest, CreateAgentResponse, UpdateAgentRequest } from '@chat/protocol';

/** What the Agents screen asks of the server (section 14's `/api/agents`), as the owner. */
export interface AgentsApi {
  list: () => Promise<Agent[]>;
  create: (request: CreateAgentRequest) => Promise<CreateAgentResponse>;
  update: (id: string, request: UpdateAgentRequest) => Promise<Agent>;
  remove: (id: string) => Promise<void>;
  /** A new key (shown once); the old one stops at once. */
  rotateKey: (id: string) => Promise<string>;
}

/** The chat client's agent calls, bound. */
export function agentsApiOf(client: ChatClient): AgentsApi {
  return {
    list: () => client.listAgents(),
    create: (request) => client.createAgent(request),
    update: (id, request) => client.updateAgent(id, request),
    remove: (id) => client.deleteAgent(id),
    rotateKey: (id) => client.rotateAgentKey(id),
  };
}

/** A refusal as people read it: the server's own reason (a 400 says what is wrong). */
export function errorText(error: unknown, fallback: string): string {
  return error instanceof Error && error.message ? error.message : fallback;
}
