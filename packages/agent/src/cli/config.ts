import { join } from 'node:path';

/** `npm run agent`'s settings, all from the environment (README: "Agents: the SDK and npm run agent"). */
export interface AssistantConfig {
  /** The chat server's origin. */
  chatUrl: string;
  /** A key to use as it is (an agent made before, e.g. in the web app's Agents screen). */
  apiKey: string | null;
  /** The owner who signs in to create (or re-key) the agent when there is no key yet. */
  ownerEmail: string | null;
  ownerPassword: string | null;
  /** The agent's display name: the one reused, or the one created. */
  name: string;
  /** Where a key this program obtained is kept, readable by its user only. */
  keyFile: string;
  provider: 'openai' | 'anthropic';
  /** The model API's base URL (an OpenAI-compatible `/v1` URL, or Anthropic's). */
  modelUrl: string | null;
  modelName: string;
  modelApiKey: string | null;
  systemPrompt: string;
  /** How many of the newest messages go to the model. */
  historyLimit: number;
  /** The longest answer in tokens (null: the provider's default; Anthropic's adapter then asks 1024). */
  maxTokens: number | null;
}

export class ConfigError extends Error {}

const DEFAULT_CHAT_URL = 'http://localhost:3000';
const DEFAULT_HISTORY = 30;

/** Reads and checks the environment; throws a ConfigError naming the variable at fault. */
export function readConfig(env: NodeJS.ProcessEnv): AssistantConfig {
  const value = (name: string): string | null => {
    const raw = env[name]?.trim();
    return raw ? raw : null;
  };
  const provider = value('AGENT_PROVIDER') ?? 'openai';
  if (provider !== 'openai' && provider !== 'anthropic') {
    throw new ConfigError(`AGENT_PROVIDER must be openai or anthropic, not "${provider}"`);
  }
  const modelName = value('AGENT_MODEL_NAME');
  if (!modelName) {
    throw new ConfigError(
      'AGENT_MODEL_NAME is required (e.g. llama3.2 on Ollama, gpt-4o-mini, claude-sonnet-4-5)',
    );
  }
  const apiKey = value('AGENT_API_KEY');
  const ownerEmail = value('AGENT_OWNER_EMAIL');
  const ownerPassword = value('AGENT_OWNER_PASSWORD');
  if ((ownerEmail === null) !== (ownerPassword === null)) {
    throw new ConfigError('set both AGENT_OWNER_EMAIL and AGENT_OWNER_PASSWORD, or neither');
  }
  const name = value('AGENT_NAME') ?? 'Assistant';
  const historyText = value('AGENT_HISTORY');
  const historyLimit = historyText === null ? DEFAULT_HISTORY : Number(historyText);
  if (!Number.isInteger(historyLimit) || historyLimit < 1) {
    throw new ConfigError('AGENT_HISTORY must be a whole number of messages, at least 1');
  }
  const maxTokensText = value('AGENT_MAX_TOKENS');
  const maxTokens = maxTokensText === null ? null : Number(maxTokensText);
  if (maxTokens !== null && (!Number.isInteger(maxTokens) || maxTokens < 1)) {
    throw new ConfigError('AGENT_MAX_TOKENS must be a whole number of tokens, at least 1');
  }
  const chatUrl = value('CHAT_URL') ?? DEFAULT_CHAT_URL;
  try {
    new URL(chatUrl);
  } catch {
    throw new ConfigError(`CHAT_URL is not a URL: "${chatUrl}"`);
  }
  return {
    chatUrl,
    apiKey,
    ownerEmail,
    ownerPassword,
    name,
    keyFile: value('AGENT_KEY_FILE') ?? join(value('DATA_DIR') ?? 'data', `agent-${slug(name)}.key`),
    provider,
    modelUrl: value('AGENT_MODEL_URL'),
    modelName,
    modelApiKey: value('AGENT_MODEL_API_KEY'),
    systemPrompt:
      value('AGENT_SYSTEM_PROMPT') ??
      `You are ${name}, an assistant taking part in a chat conversation. Answer briefly and plainly. ` +
        'In a group, each message starts with the name of who wrote it.',
    historyLimit,
    maxTokens,
  };
}

function slug(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'agent'
  );
}
