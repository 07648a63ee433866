import { pino, type Logger } from 'pino';
import type { ServerConfig } from './config';

export type { Logger };

export function createLogger(level: ServerConfig['logLevel']): Logger {
  return pino({ level, base: { service: 'chat-server' } });
}
