/** What the badge says to assistive technology (and in its tooltip). */
export const AGENT_LABEL = 'AI agent';

/**
 * The small "AI" tag next to an agent's name: software, not a person, writes as this member.
 * An image named "AI agent", so a screen reader says it where the name is read as text; inside a
 * control named by `aria-label` it is silent, and that control describes it instead.
 */
export function AgentBadge({ id }: { id?: string }) {
  return (
    <span className="agent-badge" role="img" aria-label={AGENT_LABEL} title={AGENT_LABEL} id={id}>
      AI
    </span>
  );
}
