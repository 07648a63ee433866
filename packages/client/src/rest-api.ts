import {
  AgentKeyResponse,
  AgentResponse,
  AgentsResponse,
  ConversationResponse,
  CreateAgentResponse,
  ConversationsResponse,
  ErrorBody,
  MeResponse,
  MessagesResponse,
  PushKeyResponse,
  SearchResponse,
  UsersResponse,
} from '@chat/protocol';
import type {
  Agent,
  Attachment,
  CreateAgentRequest,
  CreateAgentResponse as CreatedAgent,
  Conversation,
  MemberRole,
  Message,
  PushSubscriptionRequest,
  SearchResponse as SearchPage,
  SettingsRequest,
  UpdateAgentRequest,
  User,
} from '@chat/protocol';
import { ChatError } from './errors';
import type { TokenGetter, UploadFile, UploadOptions } from './types';
import { sendUpload } from './upload';

/** What `request` needs of a protocol schema (kept structural: no zod import here). */
interface Schema<T> {
  safeParse(value: unknown): { success: true; data: T } | { success: false };
}

export interface ChatApiOptions {
  /** Base URL: requests go to `${baseUrl}/api/...`. */
  baseUrl: string;
  getToken: TokenGetter;
  /** Default globalThis.fetch. */
  fetch?: typeof fetch;
}

/** The REST base URL a WebSocket URL implies: ws -> http, wss -> https, a trailing `/ws` removed. */
export function apiUrlFromWsUrl(wsUrl: string): string {
  // A relative URL ('/ws') is taken relative to the page, where there is one.
  const url = new URL(wsUrl, typeof location === 'undefined' ? undefined : location.href);
  if (url.protocol === 'ws:') url.protocol = 'http:';
  else if (url.protocol === 'wss:') url.protocol = 'https:';
  const path = url.pathname.replace(/\/ws\/?$/, '').replace(/\/+$/, '');
  return `${url.origin}${path}`;
}

/**
 * The REST API of docs/protocol.md section 7, typed and validated. Every failure is
 * a ChatError: the server's `{error:{code, message}}` body, `unauthorized` when
 * signed out, `network` when no answer came.
 */
export class ChatApi {
  private readonly baseUrl: string;

  constructor(private readonly options: ChatApiOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
  }

  /** `GET /api/me` */
  async me(): Promise<User> {
    return (await this.request('GET', '/api/me', MeResponse)).user;
  }

  /** `GET /api/users?query=`: at most 20, the caller left out. */
  async searchUsers(query: string): Promise<User[]> {
    const path = `/api/users?query=${encodeURIComponent(query)}`;
    return (await this.request('GET', path, UsersResponse)).users;
  }

  /** `GET /api/conversations`: newest first. */
  async listConversations(): Promise<Conversation[]> {
    return (await this.request('GET', '/api/conversations', ConversationsResponse)).conversations;
  }

  /** `POST /api/conversations`: `memberIds` are the OTHER members; one makes a 1:1 (existing pair returned). */
  async createConversation(memberIds: readonly string[], title?: string | null): Promise<Conversation> {
    const body = { member_ids: memberIds, ...(title ? { title } : {}) };
    return (await this.request('POST', '/api/conversations', ConversationResponse, body)).conversation;
  }

  /** `GET /api/conversations/:id/messages`: the newest `limit` below `beforeSeq`, seq ascending. */
  async messages(
    conversationId: string,
    query: { beforeSeq?: number; limit?: number } = {},
  ): Promise<{ messages: Message[]; has_more: boolean }> {
    const params = new URLSearchParams();
    if (query.beforeSeq !== undefined) params.set('before_seq', String(query.beforeSeq));
    if (query.limit !== undefined) params.set('limit', String(query.limit));
    const search = params.toString() ? `?${params.toString()}` : '';
    const path = `${conversationPath(conversationId)}/messages${search}`;
    return this.request('GET', path, MessagesResponse);
  }

  /** `PATCH /api/conversations/:id {title}`: a group's new name (null clears it). */
  async rename(conversationId: string, title: string | null): Promise<Conversation> {
    return (await this.request('PATCH', conversationPath(conversationId), ConversationResponse, { title }))
      .conversation;
  }

  /** `POST /api/conversations/:id/members`: people already there are skipped. */
  async addMembers(conversationId: string, userIds: readonly string[]): Promise<Conversation> {
    const path = `${conversationPath(conversationId)}/members`;
    return (await this.request('POST', path, ConversationResponse, { user_ids: userIds })).conversation;
  }

  /** `DELETE /api/conversations/:id/members/:user_id`: another member (admins only), or the caller: leave. */
  async removeMember(conversationId: string, userId: string): Promise<void> {
    const path = `${conversationPath(conversationId)}/members/${encodeURIComponent(userId)}`;
    await this.request('DELETE', path, null);
  }

  /** `PATCH /api/conversations/:id/members/:user_id {role}` (admins only). */
  async changeRole(conversationId: string, userId: string, role: MemberRole): Promise<Conversation> {
    const path = `${conversationPath(conversationId)}/members/${encodeURIComponent(userId)}`;
    return (await this.request('PATCH', path, ConversationResponse, { role })).conversation;
  }

  /** `PATCH /api/conversations/:id/settings`: the caller's own; fields left out stay. */
  async updateSettings(conversationId: string, settings: SettingsRequest): Promise<Conversation> {
    const path = `${conversationPath(conversationId)}/settings`;
    return (await this.request('PATCH', path, ConversationResponse, settings)).conversation;
  }

  /** `GET /api/search`: messages holding every word of `q`, newest first; `before` pages on. */
  async search(
    q: string,
    options: { conversationId?: string; before?: string; limit?: number } = {},
  ): Promise<SearchPage> {
    const params = new URLSearchParams({ q });
    if (options.conversationId) params.set('conversation_id', options.conversationId);
    if (options.before) params.set('before', options.before);
    if (options.limit !== undefined) params.set('limit', String(options.limit));
    return this.request('GET', `/api/search?${params.toString()}`, SearchResponse);
  }

  /**
   * `POST /api/attachments?name=` with the file's bytes (section 11). Progress through
   * XMLHttpRequest where there is one; rejects with a ChatError (`too_large` for a 413,
   * `network`, `aborted`).
   */
  async upload(file: UploadFile, options: UploadOptions = {}): Promise<Attachment> {
    const token = await this.options.getToken();
    if (!token) throw new ChatError('unauthorized', 'signed out: no access token');
    const name = options.name || file.name || 'file';
    return sendUpload({
      url: `${this.baseUrl}/api/attachments?name=${encodeURIComponent(name)}`,
      token,
      file,
      options,
      fetch: this.options.fetch,
    });
  }

  /** `GET /api/push/key`: the server's VAPID public key (base64url), for `pushManager.subscribe`. */
  async pushKey(): Promise<string> {
    return (await this.request('GET', '/api/push/key', PushKeyResponse)).public_key;
  }

  /** `POST /api/push/subscriptions`: this browser's push subscription (the same endpoint replaces it). */
  async addPushSubscription(subscription: PushSubscriptionRequest): Promise<void> {
    await this.request('POST', '/api/push/subscriptions', null, subscription);
  }

  /** `DELETE /api/push/subscriptions {endpoint}`: no more pushes to it. */
  async removePushSubscription(endpoint: string): Promise<void> {
    await this.request('DELETE', '/api/push/subscriptions', null, { endpoint });
  }

  /** `GET /api/agents`: the caller's own agents (v2 section 14). */
  async listAgents(): Promise<Agent[]> {
    return (await this.request('GET', '/api/agents', AgentsResponse)).agents;
  }

  /** `POST /api/agents`: the new agent with its `api_key` and `webhook_secret`, shown this once. */
  async createAgent(request: CreateAgentRequest): Promise<CreatedAgent> {
    return this.request('POST', '/api/agents', CreateAgentResponse, request);
  }

  /** `PATCH /api/agents/:id` (the owner's): fields left out stay. */
  async updateAgent(id: string, request: UpdateAgentRequest): Promise<Agent> {
    return (await this.request('PATCH', agentPath(id), AgentResponse, request)).agent;
  }

  /** `DELETE /api/agents/:id` (the owner's). */
  async deleteAgent(id: string): Promise<void> {
    await this.request('DELETE', agentPath(id), null);
  }

  /** `POST /api/agents/:id/keys`: a new key, shown once; the old one stops at once. */
  async rotateAgentKey(id: string): Promise<string> {
    return (await this.request('POST', `${agentPath(id)}/keys`, AgentKeyResponse)).api_key;
  }

  private async request<T>(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    path: string,
    schema: Schema<T> | null,
    body?: unknown,
  ): Promise<T> {
    const token = await this.options.getToken();
    if (!token) throw new ChatError('unauthorized', 'signed out: no access token');
    const doFetch = this.options.fetch ?? globalThis.fetch;
    let response: Response;
    try {
      response = await doFetch(`${this.baseUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      throw new ChatError('network', `${method} ${path} failed: ${(error as Error).message}`);
    }
    if (schema === null && response.ok) return undefined as T; // 204: no body to read
    const json: unknown = await response.json().catch(() => undefined);
    if (!response.ok) {
      const parsed = ErrorBody.safeParse(json);
      if (parsed.success) throw new ChatError(parsed.data.error.code, parsed.data.error.message);
      throw new ChatError('internal', `${method} ${path} answered ${response.status}`);
    }
    const parsed = schema?.safeParse(json);
    if (!parsed?.success) throw new ChatError('internal', `${method} ${path}: unexpected response body`);
    return parsed.data;
  }
}

function agentPath(agentId: string): string {
  return `/api/agents/${encodeURIComponent(agentId)}`;
}

function conversationPath(conversationId: string): string {
  return `/api/conversations/${encodeURIComponent(conversationId)}`;
}
