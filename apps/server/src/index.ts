export { createServer } from './server';
export type { ChatServer } from './server';
export { loadConfigFromEnv, resolveConfig, defaultConfig, ConfigError } from './config';
export type { ServerConfig } from './config';
