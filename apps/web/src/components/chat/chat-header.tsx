import type { ConnectionStatus } from '@chat/client';
import { Avatar } from '../ui/avatar';
import { ChevronLeftIcon, InfoIcon } from '../ui/icons';
import { AGENT_LABEL } from '../ui/agent-badge';

interface ChatHeaderProps {
  title: string;
  /** Display names of the other members. */
  others: readonly string[];
  isGroup: boolean;
  online: boolean;
  status: ConnectionStatus;
  onBack?: () => void;
  /** Opens the Details panel (members, name, leave). */
  onDetails?: () => void;
  /** A 1:1 with an agent (section 14): the avatar's "AI" tag, and "AI agent" under the name. */
  agent?: boolean;
}

function subtitle({ isGroup, others, online, status, agent }: ChatHeaderProps): string {
  if (status === 'connecting') return 'Connecting…';
  if (status === 'reconnecting') return 'Reconnecting…';
  if (status === 'offline' || status === 'closed') return 'Offline';
  if (isGroup) return `${others.length + 1} people`;
  if (agent) return online ? `${AGENT_LABEL} · Active now` : AGENT_LABEL;
  return online ? 'Active now' : '';
}

/** Back button (phones), avatar, name and a line of status: connection or presence. */
export function ChatHeader(props: ChatHeaderProps) {
  const line = subtitle(props);
  return (
    <header className="chat-header">
      {props.onBack ? (
        <button type="button" className="chat-header__back" aria-label="Back" onClick={props.onBack}>
          <ChevronLeftIcon />
        </button>
      ) : null}
      <div className="chat-header__who">
        <Avatar
          name={props.title}
          group={props.isGroup ? props.others : undefined}
          online={props.online}
          agent={!props.isGroup && props.agent === true}
        />
        <h2 className="chat-header__title">{props.title}</h2>
        <p className={`chat-header__status chat-header__status--${props.status}`} aria-live="polite">
          {line}
        </p>
      </div>
      {props.onDetails ? (
        <button
          type="button"
          className="icon-button icon-button--accent chat-header__details"
          aria-label="Details"
          title="Details"
          aria-haspopup="dialog"
          onClick={props.onDetails}
        >
          <InfoIcon />
        </button>
      ) : null}
    </header>
  );
}
