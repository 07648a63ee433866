import type { ConnectionStatus } from '@chat/client';

const TEXT: Partial<Record<ConnectionStatus, string>> = {
  reconnecting: 'Reconnecting…',
  offline: 'You’re offline. Messages will send when you’re back online.',
  closed: 'Disconnected from the server.',
};

/** A banner (role status) while the connection is not usable; nothing while it is. */
export function ConnectionBanner({ status, onRetry }: { status: ConnectionStatus; onRetry?: () => void }) {
  const text = TEXT[status];
  if (text === undefined) return null;
  return (
    <div className={`connection-banner connection-banner--${status}`} role="status">
      <span>{text}</span>
      {onRetry && status === 'closed' ? (
        <button type="button" className="connection-banner__retry" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}
