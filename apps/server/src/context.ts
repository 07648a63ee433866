import type { Broker } from '../broker/broker';
import type { ServerConfig } from '../config';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import type { PresenceRegistry } from '../realtime/presence';
import type { RoomRegistry } from '../realtime/room-registry';
import type { SendQueue } from '../realtime/send-queue';
import type { TypingTracker } from '../realtime/typing-tracker';
import type { UserChannels } from '../realtime/user-channels';
import type { TokenVerifier } from '../auth/token-verifier';
import type { Storage } from '../storage/storage';

/** The services a frame handler may use; built once per server in server.ts. */
export interface ServerContext {
  config: ServerConfig;
  storage: Storage;
  broker: Broker;
  presence: PresenceRegistry;
  rooms: RoomRegistry;
  userChannels: UserChannels;
  typing: TypingTracker;
  sendQueue: SendQueue;
  verifier: TokenVerifier;
  metrics: Metrics;
  log: Logger;
}
