import type { AgentStatus } from '@chat/protocol';

export interface AgentStatusLine {
  userId: string;
  name: string;
  status: Exclude<AgentStatus, 'idle'>;
  detail: string | null;
}

/** "Assistant is thinking…", or with the agent's own words: "Assistant: searching the docs". */
export function agentStatusText({ name, status, detail }: AgentStatusLine): string {
  if (detail) return `${name}: ${detail}`;
  return status === 'thinking' ? `${name} is thinking…` : `${name} is working…`;
}

/** An agent at work (section 14): the typing bubble's dots with what it says it is doing. */
export function AgentStatusIndicator({ line }: { line: AgentStatusLine }) {
  // The text names the agent already: no sender line above it, even in a group.
  return (
    <div className="message-row message-row--theirs typing-row">
      <div className="agent-status-bubble bubble bubble--theirs bubble--tail">
        <span className="bubble__dots" aria-hidden="true">
          <span className="typing-bubble__dot" />
          <span className="typing-bubble__dot" />
          <span className="typing-bubble__dot" />
        </span>
        <span className="agent-status-bubble__text">{agentStatusText(line)}</span>
      </div>
    </div>
  );
}
