export { createServer } from './server';
export type { ChatServer } from './server';
export { loadConfigFromEnv, resolveConfig, defaultConfig, ConfigError } from './config';
export type { ServerConfig } from './config';
export type { ServerParts } from './server';
export type { Clock } from './clock';
