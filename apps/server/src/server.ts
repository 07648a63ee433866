import Fastify, { LogController, type FastifyBaseLogger } from 'fastify';
import { AGENT_STATUS_TTL_MS } from '@chat/protocol';
import { Attachments } from './attachments/attachment-service';
import { openAttachmentStore } from './attachments/open-attachment-store';
import { UrlSigner, ensureUrlSecret } from './attachments/signing';
import { KnownUsers } from './auth/known-users';
import { registerEmbeddedAuth } from './auth/embedded-auth-routes';
import { watchAgentKeys } from './auth/agent-key-sweep';
import { embeddedAuthSettings } from './auth/embedded-auth-settings';
import { SecretBox, ensureSecretBoxKey } from './auth/secret-box';
import { createSessionGuard } from './auth/session-guard';
import { createTokenVerifier } from './auth/token-verifier';
import { systemClock, type Clock } from './clock';
import { ensureJwtSecret, resolveConfig, type ServerConfig } from './config';
import type { ServerContext } from './context';
import { registerApiRoutes } from './http/api-routes';
import { registerHealthRoutes } from './http/health-routes';
import { installErrorHandlers } from './http/rest-errors';
import { registerSecurityHeaders } from './http/security-headers';
import { registerWebApp } from './http/static-web';
import { createLogger, type Logger } from './logger';
import { PushSender } from './push/push-sender';
import { ensureVapidKeys } from './push/vapid-keys';
import { createMetrics, type Metrics } from './metrics';
import { Notifications } from './realtime/notifications';
import { openFanOut, type FanOut } from './realtime/open-fan-out';
import { createMemoryPresence } from './realtime/presence';
import { Publisher } from './realtime/publisher';
import { RoomRegistry } from './realtime/room-registry';
import { SendQueue } from './realtime/send-queue';
import { TypingTracker } from './realtime/typing-tracker';
import { AgentStatusTracker } from './realtime/agent-status-tracker';
import { StreamRegistry } from './realtime/stream-registry';
import { UserChannels } from './realtime/user-channels';
import { openStorage } from './storage/open-storage';
import type { Storage } from './storage/storage';
import { createWebhooks } from './webhooks/webhooks';
import { listenBacklogFor } from './limits/listen-backlog';
import { openConnectionCapacity } from './ws/connection-capacity';
import { createGateway } from './ws/gateway';

export interface ChatServer {
  /** The port actually bound (useful with port 0). */
  readonly port: number;
  /** http://host:port */
  readonly url: string;
  /** ws://host:port/ws */
  readonly wsUrl: string;
  readonly config: ServerConfig;
  readonly storage: Storage;
  readonly metrics: Metrics;
  readonly log: Logger;
  /** Graceful stop, as on SIGTERM: answers sends in flight, closes sockets with 1001, closes storage. */
  close(): Promise<void>;
}

/**
 * Parts a caller may hand in instead of the ones configuration opens. Tests
 * use them to move time by hand, and to run several servers in one process on
 * one in-memory broker (or a lossy one). What is handed in is not closed by
 * the server: its owner closes it.
 */
export interface ServerParts {
  clock?: Clock;
  fanOut?: FanOut;
}

/** How long the room waits for a missing change before reading it from storage. */
const GAP_FILL_DELAY_MS = 250;
/** How often an idle room checks storage's last_seq for a change the broker lost (docs/scaling.md). */
const ROOM_RESYNC_INTERVAL_MS = 5000;

/** Builds and starts the whole server on one port. `main.ts` and every test call this. */
export async function createServer(
  overrides: Partial<ServerConfig> = {},
  parts: ServerParts = {},
): Promise<ChatServer> {
  const config = resolveConfig(overrides);
  const clock = parts.clock ?? systemClock;
  const log = createLogger(config.logLevel);
  const metrics = createMetrics();
  const embeddedAuth = !config.supabaseUrl;
  const jwtSecret = embeddedAuth
    ? (config.jwtSecret ?? ensureJwtSecret(config.dataDir))
    : config.supabaseJwtSecret;

  if (embeddedAuth && !config.jwtSecret && (config.databaseUrl || config.redisUrl)) {
    log.warn(
      'JWT_SECRET is unset: this process signs with a secret of its own DATA_DIR; set JWT_SECRET so every process accepts the same tokens',
    );
  }
  if (!config.agentSecretKey && (config.databaseUrl || config.redisUrl)) {
    log.warn(
      'AGENT_SECRET_KEY is unset: this process seals webhook secrets with a key of its own DATA_DIR; set AGENT_SECRET_KEY so every process opens them',
    );
  }
  const secretBox = new SecretBox(
    config.agentSecretKey ? Buffer.from(config.agentSecretKey, 'base64') : ensureSecretBoxKey(config.dataDir),
  );
  const storage = await openStorage(config, log);
  const attachments = new Attachments({
    store: openAttachmentStore(config),
    signer: new UrlSigner(jwtSecret ?? ensureUrlSecret(config.dataDir)),
    maxBytes: config.maxAttachmentBytes,
    clock,
    log,
    claimDead: (input) => storage.claimDeadAttachments(input),
  });
  // Presence of a crashed process expires on Redis; the process that notices announces it.
  const onPresenceExpired = (conversationId: string, userId: string) =>
    void publisher.presence(conversationId, userId, false);
  const ownFanOut = parts.fanOut
    ? null
    : await openFanOut({
        redisUrl: config.redisUrl,
        redisPrefix: config.redisPrefix,
        log,
        onPresenceExpired,
      });
  const { broker, presence } = parts.fanOut ?? (ownFanOut as FanOut);
  const publisher = new Publisher({ broker, log });
  const webhooks = createWebhooks({
    storage,
    clock,
    log,
    openSecret: (sealed) => secretBox.open(sealed),
    allowPrivate: config.webhookAllowPrivate,
    onResult: (outcome) => metrics.webhookDeliveries.inc({ outcome }),
  });
  const streams = new StreamRegistry({ storage, publisher, clock, log, webhooks });
  const notifications = new Notifications({
    storage,
    visibility: (parts.fanOut ?? ownFanOut)?.visibility ?? createMemoryPresence(),
    transport: new PushSender({
      vapid:
        config.vapidPublicKey && config.vapidPrivateKey
          ? { publicKey: config.vapidPublicKey, privateKey: config.vapidPrivateKey }
          : ensureVapidKeys(config.dataDir),
      subject: config.vapidSubject,
      allowPrivate: config.pushAllowPrivate,
    }),
    clock,
    log,
    previews: config.pushPreviews,
  });
  const tokenVerifier = createTokenVerifier({
    jwtSecret,
    supabaseUrl: config.supabaseUrl,
    now: clock.now,
    maxClockSkewSec: config.tokenClockSkewSec,
    maxLifetimeSec: config.tokenMaxLifetimeSec,
  });
  // The embedded auth knows its sessions: a signed-out one is refused on every edge and process.
  const sessionGuard = embeddedAuth
    ? createSessionGuard({ verifier: tokenVerifier, storage, clock, log })
    : null;
  const verifier = sessionGuard?.verifier ?? tokenVerifier;

  const ctx: ServerContext = {
    config,
    clock,
    storage,
    presence,
    publisher,
    verifier,
    knownUsers: new KnownUsers(),
    metrics,
    log,
    attachments,
    notifications,
    secretBox,
    webhooks,
    rooms: new RoomRegistry({
      broker,
      storage,
      clock,
      log,
      gapFillDelayMs: GAP_FILL_DELAY_MS,
      // Typing a process stopped repeating (it died) ends on the others after the same timeout.
      typingExpiryMs: config.typingTimeoutMs,
      resyncIntervalMs: ROOM_RESYNC_INTERVAL_MS,
    }),
    userChannels: new UserChannels({
      broker,
      log,
      onStreamStop: (messageId) => streams.stopRequested(messageId),
    }),
    typing: new TypingTracker({
      timeoutMs: config.typingTimeoutMs,
      repeatMs: Math.ceil(config.typingTimeoutMs / 3),
      clock,
      announce: (conversationId, userId, isTyping) => void publisher.typing(conversationId, userId, isTyping),
    }),
    sendQueue: new SendQueue({ storage, metrics, log }),
    streams,
    agentStatus: new AgentStatusTracker({
      ttlMs: AGENT_STATUS_TTL_MS,
      clock,
      announce: (conversationId, userId, status, detail) =>
        void publisher.agentStatus(conversationId, userId, status, detail),
    }),
  };

  let shuttingDown = false;
  const app = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    bodyLimit: 256 * 1024,
    // No request is held open by a slow client: headers, the whole request, and silence are bounded.
    requestTimeout: config.httpRequestTimeoutMs,
    connectionTimeout: config.httpIdleTimeoutMs,
    keepAliveTimeout: config.httpKeepAliveTimeoutMs,
    http: {
      headersTimeout: config.httpHeadersTimeoutMs,
      // Node enforces those two on this tick (30 s by default: too coarse for short timeouts).
      connectionsCheckingInterval: Math.max(50, Math.min(30_000, config.httpHeadersTimeoutMs / 4)),
    },
    // API and auth requests are worth a log line; static assets, probes and scrapes are not.
    logController: new LogController({
      disableRequestLogging: (request) => !/^\/(api|auth)\//.test(request.url),
    }),
  });
  installErrorHandlers(app, metrics);
  await registerSecurityHeaders(app, config);
  // Redis never reached since the start is "not ready"; lost after that, "degraded" (local delivery goes on).
  let fanOutReached = (broker.problem?.() ?? null) === null;
  broker.onResubscribed?.(() => (fanOutReached = true));
  registerHealthRoutes(app, {
    storage,
    metrics,
    isShuttingDown: () => shuttingDown,
    fanOutProblem: () => {
      const problem = broker.problem?.() ?? null;
      return problem === null ? null : { reason: problem, reached: fanOutReached };
    },
  });
  if (embeddedAuth && jwtSecret) {
    await registerEmbeddedAuth(app, {
      storage,
      jwtSecret,
      accessTokenTtlSec: config.accessTokenTtlSec,
      log,
      issuerBaseUrl: config.publicUrl,
      signInRateLimit: config.authRateLimit > 0 ? { limit: config.authRateLimit, windowMs: 300_000 } : false,
      ...embeddedAuthSettings(config),
      verifier,
      clock,
      onSessionsRevoked: (sessionIds) => sessionGuard?.revoked(sessionIds),
    });
  }
  await registerApiRoutes(app, ctx);
  await registerWebApp(app, config.webDistDir);

  const { capacity, socketLimit } = openConnectionCapacity({
    maxConnections: config.maxConnections,
    log,
    clock,
    onCapacity: (limit) => metrics.connectionCapacity.set(limit),
  });
  // Past the fd limit the kernel would reset new connections unlogged: drop them at accept, logged, first.
  if (socketLimit !== null) app.server.maxConnections = socketLimit;
  app.server.on('drop', () => capacity.refused('socket limit reached: connection dropped'));
  const gateway = createGateway(ctx, capacity);
  app.server.on('upgrade', gateway.handleUpgrade);
  sessionGuard?.onRevoked((sessionIds) => gateway.closeSessions(sessionIds));
  const stopSessionSweep = sessionGuard?.watch(() => gateway.sessionIds(), config.sessionCheckIntervalMs);
  const stopAgentKeySweep = watchAgentKeys(
    { storage, clock, log },
    () => gateway.agentKeyHashes(),
    (keyHashes) => gateway.closeAgentKeys(keyHashes),
    config.sessionCheckIntervalMs,
  );

  const backlog = listenBacklogFor(config.listenBacklog);
  if (backlog.effective < backlog.requested) {
    log.warn(backlog, 'LISTEN_BACKLOG is capped by net.core.somaxconn: raise it (sysctl) for connect storms');
  }
  try {
    await app.listen({ port: config.port, host: config.host, backlog: config.listenBacklog });
  } catch (error) {
    await attachments.close();
    await storage.close();
    throw error;
  }
  attachments.startSweep();
  webhooks.start();
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  log.info(
    {
      port,
      storage: storage.kind,
      auth: embeddedAuth ? 'embedded' : 'supabase',
      listenBacklog: backlog.effective,
      synBacklog: backlog.synBacklog,
    },
    'chat server listening',
  );

  let closing: Promise<void> | null = null;
  return {
    port,
    url: `http://${shownHost}:${port}`,
    wsUrl: `ws://${shownHost}:${port}/ws`,
    config,
    storage,
    metrics,
    log,
    close() {
      closing ??= (async () => {
        shuttingDown = true;
        // The port first: a new process on the same port (a deploy) can listen at once
        // instead of after this one's drain; clients reconnect to it (issue 13). Open
        // sockets are not the listener's and drain below; Fastify's own close later
        // finds it already closed.
        app.server.close();
        stopSessionSweep?.();
        stopAgentKeySweep();
        await gateway.shutdown();
        // Section 14: streams still open end `interrupted` while storage and the broker are up.
        await ctx.streams.close();
        ctx.rooms.close();
        ctx.typing.clear();
        ctx.agentStatus.clear();
        await app.close();
        await notifications.close();
        await webhooks.close();
        if (ownFanOut) {
          await ownFanOut.broker.close();
          await ownFanOut.presence.close();
          await ownFanOut.visibility?.close();
        }
        await attachments.close();
        await storage.close();
        log.info('chat server stopped');
      })();
      return closing;
    },
  };
}
