import {
  ConversationResponse,
  ConversationsResponse,
  ErrorBody,
  MeResponse,
  MessagesResponse,
  UsersResponse,
} from '@chat/protocol';
import type { Conversation, Message, User } from '@chat/protocol';
import { ChatError } from './errors';
import type { TokenGetter } from './types';

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
    const path = `/api/conversations/${encodeURIComponent(conversationId)}/messages${search}`;
    return this.request('GET', path, MessagesResponse);
  }

  private async request<T>(
    method: 'GET' | 'POST',
    path: string,
    schema: Schema<T>,
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
    const json: unknown = await response.json().catch(() => undefined);
    if (!response.ok) {
      const parsed = ErrorBody.safeParse(json);
      if (parsed.success) throw new ChatError(parsed.data.error.code, parsed.data.error.message);
      throw new ChatError('internal', `${method} ${path} answered ${response.status}`);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new ChatError('internal', `${method} ${path}: unexpected response body`);
    return parsed.data;
  }
}
