import type { ChatModel } from '../models/chat-model';
import { anthropicModel } from '../models/anthropic';
import { openAiCompatibleModel } from '../models/openai-compatible';
import type { AssistantConfig } from './config';
import { ConfigError } from './config';

const OPENAI_URL = 'https://api.openai.com/v1';

/** The configured provider's adapter. */
export function modelFromConfig(config: AssistantConfig): ChatModel {
  if (config.provider === 'anthropic') {
    if (!config.modelApiKey)
      throw new ConfigError('AGENT_MODEL_API_KEY is required with AGENT_PROVIDER=anthropic');
    return anthropicModel({
      apiKey: config.modelApiKey,
      model: config.modelName,
      ...(config.modelUrl ? { baseURL: config.modelUrl } : {}),
      ...(config.maxTokens === null ? {} : { maxTokens: config.maxTokens }),
    });
  }
  const baseURL = config.modelUrl ?? OPENAI_URL;
  if (baseURL === OPENAI_URL && !config.modelApiKey) {
    throw new ConfigError(
      'AGENT_MODEL_API_KEY is required for api.openai.com (or set AGENT_MODEL_URL to a local server)',
    );
  }
  return openAiCompatibleModel({
    baseURL,
    model: config.modelName,
    ...(config.modelApiKey ? { apiKey: config.modelApiKey } : {}),
    ...(config.maxTokens === null ? {} : { maxTokens: config.maxTokens }),
  });
}
