import type { Attachments } from './attachments/attachment-service';
import type { SecretBox } from './auth/secret-box';
import type { KnownUsers } from './auth/known-users';
import type { TokenVerifier } from './auth/token-verifier';
import type { Clock } from './clock';
import type { ServerConfig } from './config';
import type { Logger } from './logger';
import type { Metrics } from './metrics';
import type { Notifications } from './realtime/notifications';
import type { PresenceRegistry } from './realtime/presence';
import type { Publisher } from './realtime/publisher';
import type { RoomRegistry } from './realtime/room-registry';
import type { SendQueue } from './realtime/send-queue';
import type { AgentStatusTracker } from './realtime/agent-status-tracker';
import type { StreamRegistry } from './realtime/stream-registry';
import type { TypingTracker } from './realtime/typing-tracker';
import type { UserChannels } from './realtime/user-channels';
import type { Storage } from './storage/storage';
import type { Webhooks } from './webhooks/webhooks';

/**
 * The services of one server, built once by server.ts (the composition root)
 * and handed to the edges: the frame handlers of ws/ and the routes of http/.
 * Nothing below the edges sees it; each lower part gets only what it uses.
 */
export interface ServerContext {
  config: ServerConfig;
  clock: Clock;
  storage: Storage;
  presence: PresenceRegistry;
  publisher: Publisher;
  rooms: RoomRegistry;
  userChannels: UserChannels;
  typing: TypingTracker;
  sendQueue: SendQueue;
  verifier: TokenVerifier;
  /** The users REST requests were authenticated for lately (auth/known-users.ts). */
  knownUsers: KnownUsers;
  metrics: Metrics;
  log: Logger;
  /** Section 11: the byte store, the URL signer, the deletion of dead attachments. */
  attachments: Attachments;
  /** Section 13: visible connections and the Web Pushes of stored messages. */
  notifications: Notifications;
  /** Section 14: the streams this process owns (relay, stop, interruption, the sweep of dead ones). */
  streams: StreamRegistry;
  /** Section 14: agent statuses set through this process. */
  agentStatus: AgentStatusTracker;
  /** Section 14: seals and opens agents' webhook secrets under the server's key. */
  secretBox: SecretBox;
  /** Section 14: the stored webhook queue; `messageFinished` after each new or finished text message. */
  webhooks: Webhooks;
}
