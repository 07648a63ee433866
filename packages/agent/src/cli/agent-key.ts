import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ChatApi } from '@chat/client';
import type { AssistantConfig } from './config';
import { ConfigError } from './config';

/** Where the key came from, for the start-up message. */
export type KeySource = 'environment' | 'key file' | 'created' | 'rotated';

/**
 * The agent's API key: AGENT_API_KEY as given; else the key file written on an earlier run;
 * else the owner signs in (the embedded auth's `/auth/v1/token`) and the agent named AGENT_NAME
 * among theirs gets a new key (its old one stops), or is created. A key obtained here is saved
 * to the key file (mode 600) and printed once by the caller.
 */
export async function obtainAgentKey(
  config: AssistantConfig,
  fetchImpl: typeof fetch = fetch,
): Promise<{ apiKey: string; source: KeySource }> {
  if (config.apiKey) return { apiKey: config.apiKey, source: 'environment' };
  if (existsSync(config.keyFile)) {
    const saved = readFileSync(config.keyFile, 'utf8').trim();
    if (saved) return { apiKey: saved, source: 'key file' };
  }
  if (!config.ownerEmail || !config.ownerPassword) {
    throw new ConfigError(
      `no agent key: set AGENT_API_KEY, or AGENT_OWNER_EMAIL and AGENT_OWNER_PASSWORD to create one (saved to ${config.keyFile})`,
    );
  }
  const token = await signIn(config.chatUrl, config.ownerEmail, config.ownerPassword, fetchImpl);
  const api = new ChatApi({ baseUrl: config.chatUrl, getToken: async () => token, fetch: fetchImpl });
  const existing = (await api.listAgents()).find((agent) => agent.display_name === config.name);
  let apiKey: string;
  let source: KeySource;
  if (existing) {
    apiKey = await api.rotateAgentKey(existing.id);
    source = 'rotated';
  } else {
    apiKey = (await api.createAgent({ display_name: config.name })).api_key;
    source = 'created';
  }
  saveKey(config.keyFile, apiKey);
  return { apiKey, source };
}

/** A password sign-in with the embedded auth (the GoTrue subset supabase-js speaks). */
async function signIn(
  chatUrl: string,
  email: string,
  password: string,
  fetchImpl: typeof fetch,
): Promise<string> {
  const url = new URL('/auth/v1/token?grant_type=password', chatUrl);
  const response = await fetchImpl(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  const body = (await response.json().catch(() => ({}))) as {
    access_token?: unknown;
    msg?: unknown;
    error_description?: unknown;
  };
  if (!response.ok || typeof body.access_token !== 'string') {
    const why = typeof body.msg === 'string' ? body.msg : String(body.error_description ?? response.status);
    throw new ConfigError(`the owner's sign-in at ${url.origin} failed: ${why}`);
  }
  return body.access_token;
}

function saveKey(file: string, apiKey: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${apiKey}\n`, { mode: 0o600 });
  chmodSync(file, 0o600); // an existing file keeps its mode on write
}
