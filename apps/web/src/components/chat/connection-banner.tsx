import type { ConnectionStatus } from '@chat/client';

const TEXT: Partial<Record<ConnectionStatus, string>> = {
  reconnecting: 'Reconnecting…',
  offline: 'Waiting for network…',
  closed: 'Disconnected from the server.',
};

/** What happens to messages written meanwhile: nothing is lost. */
const DETAIL: Partial<Record<ConnectionStatus, string>> = {
  reconnecting: 'Messages you send will go out when the server is back.',
  offline: 'Messages you send will go out when you’re back online.',
};

/**
 * A banner (role status) while the connection is not usable; nothing while it is. "Try now"
 * skips what is left of the reconnect backoff; "Try again" restarts a closed connection.
 */
export function ConnectionBanner({ status, onRetry }: { status: ConnectionStatus; onRetry?: () => void }) {
  const text = TEXT[status];
  if (text === undefined) return null;
  const detail = DETAIL[status];
  const action = status === 'closed' ? 'Try again' : status === 'reconnecting' ? 'Try now' : null;
  return (
    <div className={`connection-banner connection-banner--${status}`} role="status">
      <span className="connection-banner__text">
        <strong>{text}</strong>
        {detail ? <span className="connection-banner__detail"> {detail}</span> : null}
      </span>
      {onRetry && action ? (
        <button type="button" className="connection-banner__retry" onClick={onRetry}>
          {action}
        </button>
      ) : null}
    </div>
  );
}
