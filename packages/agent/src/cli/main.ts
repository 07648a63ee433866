/**
 * `npm run agent`: an assistant on a language model, answering in every conversation it is added
 * to. Settings from the environment: see config.ts and the README.
 */
import { WebSocket } from 'ws';
import { obtainAgentKey } from './agent-key';
import { startAssistant } from './assistant';
import { ConfigError, readConfig } from './config';
import { modelFromConfig } from './model-from-config';

function log(line: string): void {
  process.stdout.write(`${new Date().toISOString()} ${line}\n`);
}

async function main(): Promise<void> {
  const config = readConfig(process.env);
  const model = modelFromConfig(config);
  const { apiKey, source } = await obtainAgentKey(config);
  if (source === 'created' || source === 'rotated') {
    // Shown this once; the key file keeps it for the next runs.
    log(`agent "${config.name}" ${source === 'created' ? 'created' : 'given a new key'}: ${apiKey}`);
    log(`the key is saved in ${config.keyFile} (AGENT_API_KEY takes precedence over it)`);
  } else {
    log(`using the agent key from the ${source}`);
  }
  const target =
    config.modelUrl ?? (config.provider === 'anthropic' ? 'api.anthropic.com' : 'api.openai.com');
  log(`model: ${config.provider} ${config.modelName} at ${target}`);
  const agent = startAssistant({
    chatUrl: config.chatUrl,
    apiKey,
    model,
    systemPrompt: config.systemPrompt,
    historyLimit: config.historyLimit,
    WebSocket,
    log,
  });
  let stopping = false;
  agent.client.on('status', (status) => {
    // Closed without being asked (its key refused): there is nothing left to do.
    if (status === 'closed' && !stopping) {
      log(`stopped: ${agent.client.closeReason ?? 'closed'}`);
      process.exitCode = 1;
      agent.stop();
    }
  });
  const shutdown = () => {
    stopping = true;
    log('stopping');
    agent.stop();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? `agent: ${error.message}` : error);
  process.exit(1);
});
