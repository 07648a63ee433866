import { HISTORY_MAX_LIMIT, bodyProblem } from '@chat/protocol';
import type {
  Agent,
  Attachment,
  ClientFrame,
  Conversation,
  CreateAgentRequest,
  CreateAgentResponse,
  MemberRole,
  Message,
  SearchResponse,
  ServerFrame,
  ServerFrameOf,
  SettingsRequest,
  UpdateAgentRequest,
  User,
} from '@chat/protocol';
import { documentVisibility } from './browser-signals';
import { systemClock } from './clock';
import type { Clock } from './clock';
import { Connection } from './connection';
import { ConversationList } from './conversation-list';
import { ConversationStore } from './conversation-store';
import { Emitter, Listeners } from './emitter';
import { ChatError, disconnectedError } from './errors';
import { Joins } from './joins';
import { createMemoryOutbox } from './outbox';
import { Requests } from './requests';
import { ChatApi, apiUrlFromWsUrl } from './rest-api';
import { Sender } from './sender';
import { StreamSender } from './stream-sender';
import { TypingSender } from './typing';
import type {
  ChatClientEvents,
  ChatClientOptions,
  ConnectionStatus,
  ConversationView,
  PageVisibility,
  TokenGetter,
  PendingMessage,
  UploadFile,
  UploadOptions,
  WebSocketLike,
} from './types';
import { DEFAULT_MAX_UPLOAD_BYTES } from './upload';

/** Defaults of every timing option, as documented in types.ts. */
const DEFAULTS = {
  backoff: { initialMs: 500, maxMs: 30_000, stableAfterMs: 60_000, floodPauseMs: 15_000 },
  heartbeat: { intervalMs: 15_000, timeoutMs: 10_000 },
  typing: { refreshMs: 3_000, expireMs: 7_000 },
  handshakeTimeoutMs: 15_000,
  historyPageSize: 50,
  /** When a `rate_limited` refusal names no wait. */
  rateLimitRetryMs: 1_000,
};

/**
 * The chat, framework-agnostic: one authenticated socket (reconnecting on its
 * own), the conversations joined on it, the outbox of unacked sends, and the
 * live conversation list. React binds to it with `subscribe` + the stable
 * snapshots `getConversation` / `getConversations` / `status`.
 *
 * Reliability (docs/protocol.md section 6): after every reconnect the client
 * re-joins each joined conversation with `since_seq` = the highest updated_seq
 * held, and resends every unacked send with its original client_id, so nothing
 * is lost and nothing is doubled.
 *
 * Requests other than sends (`markRead`, `edit`, `unsend`, `react`) are NOT
 * resent after a disconnect: their promises reject with a retryable ChatError
 * `disconnected`, and the caller chooses to retry (an edit sent twice would
 * count twice against the edit limit).
 *
 * Agents (section 14) use the same client with `apiKey` instead of `getToken`; a streamed
 * answer starts like a send (`startStream`, through the outbox), and a stop (`stopStream`) is
 * held until the server acknowledges it, across reconnects.
 */
export class ChatClient {
  /** The REST API (`/api/me`, user search, conversation creation, history). */
  readonly api: ChatApi;
  private readonly connection: Connection;
  private readonly requests = new Requests();
  private readonly emitter = new Emitter<ChatClientEvents>();
  private readonly listeners = new Listeners();
  private readonly sender: Sender;
  private readonly streams: StreamSender;
  private readonly typing: TypingSender;
  private readonly list: ConversationList;
  private readonly stores = new Map<string, ConversationStore>();
  private readonly joins: Joins;
  private readonly clock: Clock;
  private listWatchers = 0;
  /** `GET /api/conversations` requests in flight. */
  private listLoads = 0;
  /** Numbers each list request in the order sent, and the newest whose answer is shown. */
  private listRequested = 0;
  private listShown = 0;
  private readonly olderLoads = new Map<string, Promise<void>>();
  /** Conversations the user stopped being a member of (until a `conversation` brings one back). */
  private readonly gone = new Set<string>();
  /** Every member name seen, kept after they leave: system lines name people no longer there. */
  private readonly names = new Map<string, string>();
  private batchDepth = 0;
  private changedInBatch = false;
  /** Where `client_state {visible}` comes from (null: never sent), and its watch while started. */
  private readonly visibility: PageVisibility | null;
  private unwatchVisibility: (() => void) | null = null;
  /** What this socket last told the server (null: nothing yet). */
  private sentVisible: boolean | null = null;

  /** The largest file `upload` and `send` accept (option `maxUploadBytes`, default 25 MiB). */
  readonly maxUploadBytes: number;

  constructor(private readonly options: ChatClientOptions) {
    this.maxUploadBytes = options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
    const WebSocketCtor =
      options.WebSocket ?? (globalThis as { WebSocket?: WebSocketLike }).WebSocket ?? missingWebSocket();
    this.clock = options.clock ?? systemClock;
    this.visibility = options.pageVisibility === undefined ? documentVisibility() : options.pageVisibility;
    const getToken = credentialGetter(options);
    this.connection = new Connection({
      url: options.url,
      getToken,
      ...(options.apiKey === undefined ? {} : { apiKey: options.apiKey }),
      WebSocket: WebSocketCtor,
      backoff: { ...DEFAULTS.backoff, ...options.backoff },
      heartbeat: { ...DEFAULTS.heartbeat, ...options.heartbeat },
      handshakeTimeoutMs: options.handshakeTimeoutMs ?? DEFAULTS.handshakeTimeoutMs,
      requests: this.requests,
      clock: this.clock,
    });
    this.api = new ChatApi({
      baseUrl: options.apiUrl ?? apiUrlFromWsUrl(options.url),
      getToken,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
    this.sender = new Sender({
      store: options.outbox ?? createMemoryOutbox(),
      send: (frame) => this.connection.send(frame),
      onChange: (conversationId) => {
        const store = this.stores.get(conversationId);
        if (store) store.setPending(this.sender.outbox.list(conversationId));
        else this.changed();
      },
      rateLimitRetryMs: DEFAULTS.rateLimitRetryMs,
      clock: this.clock,
      upload: (file, uploadOptions) => this.upload(file, uploadOptions),
      maxUploadBytes: this.maxUploadBytes,
    });
    this.streams = new StreamSender({
      sender: this.sender,
      send: (frame) => this.connection.send(frame),
      request: (frame) => this.request(frame),
    });
    this.typing = new TypingSender(
      options.typing?.refreshMs ?? DEFAULTS.typing.refreshMs,
      (id, isTyping) => this.connection.send({ type: 'typing', conversation_id: id, is_typing: isTyping }),
      this.clock,
    );
    this.list = new ConversationList(() => this.changed());
    this.joins = new Joins({
      requests: this.requests,
      isOpen: () => this.connection.isOpen,
      send: (frame) => this.connection.send(frame),
      store: (conversationId) => this.store(conversationId),
      onJoined: (frame, fresh) => this.batch(() => this.joined(frame, fresh)),
    });

    const events = this.connection.events;
    events.on('status', (status) => {
      this.emitter.emit('status', status);
      this.changed();
    });
    events.on('ready', (user) => this.batch(() => this.ready(user)));
    events.on('refreshed', (user) => this.emitter.emit('authenticated', user));
    events.on('lost', () => this.batch(() => this.lost()));
    events.on('frame', (frame) => this.batch(() => this.dispatch(frame)));
  }

  // ---- lifecycle ----

  get status(): ConnectionStatus {
    return this.connection.status;
  }

  /** The authenticated user (null before the first `authenticated`). */
  get user(): User | null {
    return this.connection.user;
  }

  /** Why the status is 'closed': 'stopped by the client', signed out, token refused, server 1000. */
  get closeReason(): string | null {
    return this.connection.closeReason;
  }

  /** Why the last socket was lost, for diagnostics. */
  get lastDisconnectReason(): string | null {
    return this.connection.lastDisconnectReason;
  }

  /** Server frames dropped because they failed their schema. */
  get invalidFrames(): number {
    return this.connection.invalidFrames;
  }

  /**
   * Loads the outbox and connects; restarts a stopped client. Idempotent: while
   * running it opens no second socket, it only reconnects at once if waiting
   * out a backoff (so a "Reconnect now" button can call it).
   */
  start(): void {
    void this.sender.outbox.load().then(() => this.sender.flush());
    if (this.visibility && !this.unwatchVisibility) {
      this.unwatchVisibility = this.visibility.watch(() => this.sendClientState());
    }
    this.connection.start();
  }

  /** Closes with 1000: status 'closed' until the next start(). Unacked sends stay in the outbox. */
  stop(): void {
    this.unwatchVisibility?.();
    this.unwatchVisibility = null;
    this.connection.stop();
    this.typing.forgetAll();
    this.sender.disconnected();
    for (const store of this.stores.values()) store.dispose();
  }

  /** Fires after any change (status, a conversation, the list, the outbox). Returns the unsubscribe. */
  subscribe(listener: () => void): () => void {
    return this.listeners.subscribe(listener);
  }

  on<K extends keyof ChatClientEvents>(event: K, handler: (value: ChatClientEvents[K]) => void): () => void {
    return this.emitter.on(event, handler);
  }

  // ---- conversations ----

  /**
   * Joins a conversation, now or as soon as the socket is open, and after every
   * reconnect (resuming from the highest updated_seq held). Counted: it stays
   * joined until each join has its leave.
   */
  join(conversationId: string): void {
    this.joins.join(conversationId);
  }

  leave(conversationId: string): void {
    if (!this.joins.leave(conversationId)) return;
    this.typing.forget(conversationId);
    this.stores.get(conversationId)?.markNotJoined();
  }

  /** The conversation's view; the SAME object until something in it changes. */
  getConversation(conversationId: string): ConversationView {
    return this.store(conversationId).view;
  }

  /** Fetches the page of history below the lowest seq held, and prepends it. */
  loadOlder(conversationId: string): Promise<void> {
    const running = this.olderLoads.get(conversationId);
    if (running) return running;
    const store = this.store(conversationId);
    const lowest = store.lowestSeq;
    if (lowest === 1) {
      store.prependOlder([], false);
      return Promise.resolve();
    }
    const load = this.api
      .messages(conversationId, {
        ...(lowest === null ? {} : { beforeSeq: lowest }),
        limit: DEFAULTS.historyPageSize,
      })
      .then((page) => this.batch(() => store.prependOlder(page.messages, page.has_more)))
      .finally(() => this.olderLoads.delete(conversationId));
    this.olderLoads.set(conversationId, load);
    return load;
  }

  // ---- the conversation list ----

  /** `GET /api/conversations` into the live list; rejects with a ChatError. */
  async loadConversations(): Promise<readonly Conversation[]> {
    const request = ++this.listRequested;
    this.listLoads++;
    let conversations: Conversation[];
    try {
      conversations = await this.api.listConversations();
    } finally {
      this.listLoads--;
    }
    // A request sent later was answered first: this answer is older than the list shown.
    if (request < this.listShown) return this.list.conversations;
    this.listShown = request;
    this.batch(() => {
      for (const conversation of conversations) this.learnNames(conversation.members);
      this.list.replaceAll(conversations);
      // Frames that arrived while the request was out may be newer than its answer.
      const self = this.user?.id ?? null;
      for (const store of this.stores.values()) {
        const newest = store.view.messages.at(-1);
        if (newest) this.list.applyMessage(newest, self);
      }
      if (this.listWatchers > 0) this.joinListed();
    });
    return this.list.conversations;
  }

  /** The live list, newest first; the SAME array until something in it changes. */
  getConversations(): readonly Conversation[] {
    return this.list.conversations;
  }

  /** Whether `loadConversations` has succeeded once. */
  get conversationsLoaded(): boolean {
    return this.list.loaded;
  }

  /**
   * Keeps the list live, as a screen showing it needs: loads it (again after
   * every reconnect) and joins every conversation in it, new ones included.
   * Returns the function that stops (leaving what it joined).
   */
  watchConversations(): () => void {
    this.listWatchers++;
    if (this.listWatchers === 1) {
      if (this.list.loaded) this.joinListed();
      this.reloadConversations();
    }
    let stopped = false;
    return () => {
      if (stopped) return;
      stopped = true;
      this.listWatchers--;
      if (this.listWatchers > 0) return;
      for (const id of this.joins.takeListed()) this.leave(id);
    };
  }

  // ---- sending ----

  /**
   * Sends a message: stored in the outbox first (durably), then sent, and
   * resent with the same client_id after every reconnect until acked. Shows in
   * `pending` of the conversation's view until then. Throws a ChatError
   * `bad_request` for a body the server would refuse.
   *
   * `files` (at most 10; the body may then be empty) are kept in the outbox with it and
   * uploaded first, when there is a connection; their progress shows in the pending
   * message's `attachments`. A file over `maxUploadBytes` throws `too_large`.
   */
  send(
    conversationId: string,
    body: string,
    options: {
      replyTo?: string | null;
      mentions?: readonly string[];
      files?: readonly UploadFile[];
      /** v2 section 14: stored as `streaming` (the body may be empty); see `startStream`. */
      streaming?: boolean;
    } = {},
  ): PendingMessage {
    const message = this.sender.send(
      conversationId,
      body,
      options.replyTo ?? null,
      options.mentions,
      options.files,
      options.streaming ?? false,
    );
    // The server ends this user's typing when the message lands.
    this.typing.forget(conversationId);
    return message;
  }

  /**
   * Uploads one file (`POST /api/attachments`, section 11) and returns its Attachment, for
   * `attachment_ids`. Rejects with a ChatError: `too_large` (over `maxUploadBytes`, before any
   * byte is sent, or the server's 413), `network` (no answer: offline), `aborted`
   * (`signal`), `unauthorized`.
   */
  upload(file: UploadFile, options: UploadOptions = {}): Promise<Attachment> {
    if (file.size > this.maxUploadBytes) {
      const mb = Math.round(this.maxUploadBytes / (1024 * 1024));
      return Promise.reject(new ChatError('too_large', `files can be up to ${mb} MB`));
    }
    return this.api.upload(file, options);
  }

  // ---- streaming and status (v2 section 14) ----

  /**
   * Starts a streamed message: `send_message {streaming: true}` through the outbox (resent
   * after a reconnect, never doubled); resolves with the stored message (`state: 'streaming'`)
   * once acked, rejects with the ChatError of a refusal. Throws `bad_request` for a body over
   * 16,000 code points.
   */
  startStream(
    conversationId: string,
    options: { body?: string; replyTo?: string | null } = {},
  ): Promise<Message> {
    const started = this.streams.start(conversationId, options.body ?? '', options.replyTo ?? null);
    this.typing.forget(conversationId);
    return started;
  }

  /**
   * The whole text so far of a streaming message (`stream_message`). Fire and forget: dropped
   * when offline, no outbox. The server relays at most one per 100 ms: coalesce before calling.
   */
  streamMessage(messageId: string, body: string): void {
    this.streams.update(messageId, body);
  }

  /** Ends a stream with its final text (`complete`, or `stopped`). Rejects `disconnected` when offline. */
  endStream(messageId: string, body: string, state: 'complete' | 'stopped' = 'complete'): Promise<void> {
    return this.streams.end(messageId, body, state);
  }

  /**
   * Asks the sender of a streaming message to stop (any member may). Held until acknowledged:
   * asked offline, or lost with its socket, it is sent on the next authentication. Resolves
   * also when the message had already ended (`conflict`).
   */
  stopStream(messageId: string): Promise<void> {
    return this.streams.stop(messageId);
  }

  /** What this user (an agent) is doing in a conversation; fire and forget, dropped when offline. */
  setAgentStatus(conversationId: string, status: 'thinking' | 'working' | 'idle', detail?: string): void {
    this.connection.send({
      type: 'agent_status',
      conversation_id: conversationId,
      status,
      ...(detail === undefined ? {} : { detail }),
    });
  }

  // ---- agents (REST, v2 section 14) ----

  /** `GET /api/agents`: the agents this user owns. */
  listAgents(): Promise<Agent[]> {
    return this.api.listAgents();
  }

  /** `POST /api/agents`: its `api_key` and `webhook_secret` are in this answer only. */
  createAgent(request: CreateAgentRequest): Promise<CreateAgentResponse> {
    return this.api.createAgent(request);
  }

  /** `PATCH /api/agents/:id`: fields left out stay; `webhook_url: null` removes the webhook. */
  updateAgent(id: string, request: UpdateAgentRequest): Promise<Agent> {
    return this.api.updateAgent(id, request);
  }

  /** `DELETE /api/agents/:id`. */
  deleteAgent(id: string): Promise<void> {
    return this.api.deleteAgent(id);
  }

  /** `POST /api/agents/:id/keys`: the new key (shown once); the old one stops at once. */
  rotateAgentKey(id: string): Promise<string> {
    return this.api.rotateAgentKey(id);
  }

  /** Sends a failed message again (same client_id). */
  retry(clientId: string): void {
    this.sender.retry(clientId);
  }

  /** Drops an unacked message from the outbox (if it was already sent, it may still land). */
  discard(clientId: string): void {
    this.sender.discard(clientId);
  }

  /** Typing indicator: sent on change only, refreshed every ~3 s while true. Fire and forget. */
  setTyping(conversationId: string, isTyping: boolean): void {
    this.typing.set(conversationId, isTyping);
  }

  /** Marks the conversation read up to `seq`; resolves at once if already read that far. */
  markRead(conversationId: string, seq: number): Promise<void> {
    const self = this.user?.id;
    const member = this.stores.get(conversationId)?.view.members.find((item) => item.user_id === self);
    if (member && member.read_seq >= seq) return Promise.resolve();
    return this.request({ type: 'mark_read', conversation_id: conversationId, seq });
  }

  edit(messageId: string, body: string): Promise<void> {
    const problem = bodyProblem(body);
    if (problem) return Promise.reject(new ChatError('bad_request', problem));
    return this.request({ type: 'edit_message', message_id: messageId, body });
  }

  /** Deletes ("unsends") one of the user's messages. */
  unsend(messageId: string): Promise<void> {
    return this.request({ type: 'delete_message', message_id: messageId });
  }

  /** Sets the user's reaction to a message; null removes it. */
  react(messageId: string, reaction: string | null): Promise<void> {
    return this.request({ type: 'react', message_id: messageId, reaction });
  }

  /** The display name of anyone seen in a conversation of this user's, members who left included. */
  displayName(userId: string): string | undefined {
    return this.names.get(userId);
  }

  // ---- groups and settings (REST; each answer applied at once, before its frame arrives) ----

  /** Renames a group (null clears the title); every member sees a system line. */
  async rename(conversationId: string, title: string | null): Promise<Conversation> {
    return this.applied(await this.api.rename(conversationId, title));
  }

  /** Adds people to a group; those already in it are skipped. */
  async addMembers(conversationId: string, userIds: readonly string[]): Promise<Conversation> {
    return this.applied(await this.api.addMembers(conversationId, userIds));
  }

  /** Removes another member (admins only). */
  async removeMember(conversationId: string, userId: string): Promise<void> {
    await this.api.removeMember(conversationId, userId);
  }

  /** Leaves a group: it is dropped from the list and no longer joined, here and on every device. */
  async leaveGroup(conversationId: string): Promise<void> {
    const self = this.user?.id ?? (await this.api.me()).id;
    await this.api.removeMember(conversationId, self);
    this.batch(() => this.removed(conversationId));
  }

  /** Makes a member an admin, or an admin a member (admins only). */
  async changeRole(conversationId: string, userId: string, role: MemberRole): Promise<Conversation> {
    return this.applied(await this.api.changeRole(conversationId, userId, role));
  }

  /**
   * This user's own settings of a conversation (pin, mute until, archive); the user's other
   * devices follow through their `conversation` frame.
   */
  async updateSettings(conversationId: string, settings: SettingsRequest): Promise<Conversation> {
    return this.applied(await this.api.updateSettings(conversationId, settings));
  }

  /** Searches the user's messages (or one conversation's): `GET /api/search`. */
  search(
    q: string,
    options: { conversationId?: string; before?: string; limit?: number } = {},
  ): Promise<SearchResponse> {
    return this.api.search(q, options);
  }

  /**
   * Loads older pages until the message with `seq` is held, with a few before it for context,
   * so that a search result opens in place, without a gap in the history shown. Needs the
   * conversation joined (a fresh join replaces the window).
   */
  async loadUntil(conversationId: string, seq: number): Promise<void> {
    const store = this.store(conversationId);
    const floor = Math.max(1, seq - 5);
    for (;;) {
      const lowest = store.lowestSeq;
      if (lowest !== null && (lowest <= floor || !store.view.hasMoreBefore)) return;
      const page = await this.api.messages(conversationId, {
        ...(lowest === null ? {} : { beforeSeq: lowest }),
        limit: HISTORY_MAX_LIMIT,
      });
      this.batch(() => store.prependOlder(page.messages, page.has_more));
      if (!page.has_more || page.messages.length === 0) return;
    }
  }

  // ---- internals ----

  /** A REST answer's conversation, applied to the list and the store as its frame would be. */
  private applied(conversation: Conversation): Conversation {
    this.batch(() => this.conversationChanged(conversation));
    return conversation;
  }

  private learnNames(members: readonly { user_id: string; display_name: string }[]): void {
    for (const member of members) this.names.set(member.user_id, member.display_name);
  }

  private conversationChanged(conversation: Conversation): void {
    this.learnNames(conversation.members);
    this.gone.delete(conversation.id);
    this.list.upsert(conversation);
    const store = this.stores.get(conversation.id);
    store?.applyMembers(conversation.members);
    // A member again (added back): a screen whose join was refused joins now.
    if (store?.view.error) this.joins.retry(conversation.id);
    if (this.listWatchers > 0) this.joinListed();
  }

  /** No longer a member: out of the list, its messages dropped, never rejoined. */
  private removed(conversationId: string): void {
    if (this.gone.has(conversationId)) return; // our own leave, then its frame
    this.gone.add(conversationId);
    this.joins.forget(conversationId);
    this.typing.forget(conversationId);
    this.list.remove(conversationId);
    const store = this.stores.get(conversationId);
    if (store) {
      store.dispose();
      this.stores.delete(conversationId);
      // A screen still showing it reads this: the history is gone, and why.
      this.store(conversationId).setError({
        code: 'forbidden',
        message: 'You are no longer in this conversation.',
      });
    }
    this.emitter.emit('conversation_removed', conversationId);
  }

  private store(conversationId: string): ConversationStore {
    let store = this.stores.get(conversationId);
    if (!store) {
      store = new ConversationStore({
        conversationId,
        typingExpireMs: this.options.typing?.expireMs ?? DEFAULTS.typing.expireMs,
        onChange: () => this.changed(),
        pending: this.sender.outbox.list(conversationId),
        clock: this.clock,
      });
      this.stores.set(conversationId, store);
    }
    return store;
  }

  /** One request with a ref, settled by its direct reply. */
  private request(frame: ClientFrame): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (!this.connection.isOpen) {
        reject(disconnectedError());
        return;
      }
      const ref = this.requests.track({ onReply: () => resolve(), onError: (error) => reject(error) });
      if (!this.connection.send({ ...frame, ref })) {
        this.requests.forget(ref);
        reject(disconnectedError());
      }
    });
  }

  private joined(frame: ServerFrameOf<'joined'>, fresh: boolean): void {
    this.learnNames(frame.members);
    this.store(frame.conversation_id).applyJoined(frame, fresh);
    const self = this.user?.id ?? null;
    for (const message of frame.messages) {
      // A send whose ack was lost with the socket is in the history: it landed.
      if (message.sender_id === self && message.client_id !== null) this.acked(message.client_id, message);
      this.list.applyMessage(message, self);
    }
  }

  private ready(user: User): void {
    this.sentVisible = null;
    this.sendClientState();
    this.joins.rejoinAll();
    this.sender.connected();
    this.streams.connected();
    // A list read before this socket's authentication misses what happened until then (a
    // conversation created meanwhile, whose frame went to no socket of ours): read it again
    // now that frames follow. So is a watched list never loaded (the page opened without
    // network or with the server down, so its first load failed).
    const reload = this.list.loaded || this.listLoads > 0 || this.listWatchers > 0;
    if (reload) this.reloadConversations();
    this.emitter.emit('authenticated', user);
  }

  /** Tells the server whether the page is in view (section 13), when that changed for this socket. */
  private sendClientState(): void {
    if (!this.visibility) return;
    const visible = this.visibility.isVisible();
    if (visible === this.sentVisible) return;
    if (this.connection.send({ type: 'client_state', visible })) this.sentVisible = visible;
  }

  private lost(): void {
    for (const store of this.stores.values()) store.markNotJoined();
    this.typing.forgetAll();
    this.sender.disconnected();
  }

  private dispatch(frame: ServerFrame): void {
    const self = this.user?.id ?? null;
    switch (frame.type) {
      case 'message': {
        const message = frame.message;
        this.store(message.conversation_id).applyMessage(message, true);
        if (message.sender_id === self && message.client_id !== null) this.acked(message.client_id, message);
        this.list.applyMessage(message, self);
        if (message.sender_id !== self && message.kind !== 'system') this.emitter.emit('message', message);
        break;
      }
      case 'message_ack':
        this.acked(frame.client_id, frame.message);
        this.store(frame.message.conversation_id).applyAck(frame.message);
        this.list.applyMessage(frame.message, self);
        break;
      case 'message_updated': {
        const store = this.store(frame.message.conversation_id);
        const previous = store.get(frame.message.id);
        store.applyMessage(frame.message);
        this.list.applyUpdate(frame.message, frame.change, self, previous);
        break;
      }
      case 'typing':
        if (frame.user_id !== self)
          this.store(frame.conversation_id).applyTyping(frame.user_id, frame.is_typing);
        break;
      case 'read': {
        const store = this.store(frame.conversation_id);
        store.applyRead(frame.user_id, frame.seq);
        this.list.applyRead(frame.conversation_id, frame.user_id, frame.seq, self, store.view);
        break;
      }
      case 'presence':
        this.store(frame.conversation_id).applyPresence(frame.user_id, frame.online);
        break;
      case 'left':
        // `removed`: no longer a member (conversation_removed follows); `left`: our own leave.
        if (frame.reason === 'removed' || !this.joins.has(frame.conversation_id)) {
          this.stores.get(frame.conversation_id)?.markNotJoined();
        }
        break;
      case 'conversation':
        this.conversationChanged(frame.conversation);
        this.emitter.emit('conversation', frame.conversation);
        break;
      case 'conversation_removed':
        this.removed(frame.conversation_id);
        break;
      case 'message_stream':
        this.store(frame.conversation_id).applyStream(frame.message_id, frame.body);
        break;
      case 'stream_stop':
        this.emitter.emit('stream_stop', {
          conversation_id: frame.conversation_id,
          message_id: frame.message_id,
          by: frame.by,
        });
        break;
      case 'agent_status':
        if (frame.user_id !== self)
          this.store(frame.conversation_id).applyAgentStatus(frame.user_id, frame.status, frame.detail);
        break;
      case 'error':
        if (this.sender.refused(frame)) this.streams.refused(frame);
        else this.emitter.emit('error', frame);
        break;
      default:
        // authenticated / joined / ack / pong arrive through their refs.
        break;
    }
  }

  /** One of our sends landed, whichever way we learnt it. */
  private acked(clientId: string, message: Message): void {
    this.sender.acked(clientId);
    this.streams.acked(clientId, message);
  }

  private joinListed(): void {
    this.joins.joinListed(this.list.conversations.map((conversation) => conversation.id));
  }

  private reloadConversations(): void {
    this.loadConversations().catch((error: unknown) => {
      console.warn('chat: could not load the conversation list', error);
    });
  }

  /** Runs `work` and notifies the listeners once at the end, if anything changed. */
  private batch<T>(work: () => T): T {
    this.batchDepth++;
    try {
      return work();
    } finally {
      this.batchDepth--;
      if (this.batchDepth === 0 && this.changedInBatch) {
        this.changedInBatch = false;
        this.listeners.notify();
      }
    }
  }

  private changed(): void {
    if (this.batchDepth > 0) this.changedInBatch = true;
    else this.listeners.notify();
  }
}

/** Where REST and the socket get their credential: the agent's API key, else `getToken`. */
function credentialGetter(options: ChatClientOptions): TokenGetter {
  const apiKey = options.apiKey;
  if (apiKey !== undefined) return () => Promise.resolve(apiKey);
  if (options.getToken) return options.getToken;
  throw new Error('ChatClient: pass options.getToken (a person) or options.apiKey (an agent)');
}

function missingWebSocket(): never {
  throw new Error('ChatClient: no WebSocket here; pass options.WebSocket (in Node: `ws`)');
}
