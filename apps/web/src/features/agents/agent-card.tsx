import { useId, useState } from 'react';
import type { FormEvent } from 'react';
import type { Agent } from '@chat/protocol';
import { MAX_WEBHOOK_URL_LENGTH } from '@chat/protocol';
import { Avatar } from '../../components/ui/avatar';
import { AgentBadge } from '../../components/ui/agent-badge';
import type { AgentsApi } from './agents-api';
import { errorText } from './agents-api';
import { InlineConfirm } from '../../components/ui/inline-confirm';

type Asking = 'rotate' | 'delete' | null;

/**
 * One of my agents: its name, description and visibility; its webhook URL (set, changed or
 * removed; the server's reason when refused); "Rotate key" and "Delete", each asked first.
 */
export function AgentCard({
  agent,
  api,
  onChanged,
  onRotated,
  onDeleted,
}: {
  agent: Agent;
  api: AgentsApi;
  onChanged: (agent: Agent) => void;
  /** The new key, to show once. */
  onRotated: (agent: Agent, apiKey: string) => void;
  onDeleted: (agent: Agent) => void;
}) {
  const id = useId();
  const [webhook, setWebhook] = useState(agent.webhook_url ?? '');
  const [asking, setAsking] = useState<Asking>(null);
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const run = (work: () => Promise<void>, failure: string) => {
    setBusy(true);
    setStatus(null);
    setError(null);
    work()
      .catch((cause: unknown) => setError(errorText(cause, failure)))
      .finally(() => setBusy(false));
  };

  const saveWebhook = (url: string | null) =>
    run(async () => {
      const updated = await api.update(agent.id, { webhook_url: url });
      setWebhook(updated.webhook_url ?? '');
      onChanged(updated);
      setStatus(url === null ? 'Webhook removed.' : 'Webhook saved.');
    }, 'Could not change the webhook.');

  const onSubmitWebhook = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const url = webhook.trim();
    saveWebhook(url === '' ? null : url);
  };

  const rotate = () =>
    run(async () => {
      const key = await api.rotateKey(agent.id);
      setAsking(null);
      onRotated(agent, key);
    }, 'Could not rotate the key.');

  const remove = () =>
    run(async () => {
      await api.remove(agent.id);
      onDeleted(agent);
    }, 'Could not delete the agent.');

  const webhookChanged = webhook.trim() !== (agent.webhook_url ?? '');

  return (
    <li className="agent-card">
      <article aria-labelledby={`${id}-name`}>
        <div className="agent-card__who">
          <Avatar name={agent.display_name} size="small" agent />
          <span className="agent-card__text">
            <span className="agent-card__name">
              <span id={`${id}-name`}>{agent.display_name}</span>
              <AgentBadge />
            </span>
            <span className="agent-card__meta">
              {agent.public ? 'Public: anyone can add it' : 'Private: only you can add it'}
            </span>
          </span>
        </div>
        {agent.description ? <p className="agent-card__description">{agent.description}</p> : null}

        {/* noValidate: the server judges the URL, and its reason is what people read. */}
        <form className="agent-card__webhook" noValidate onSubmit={onSubmitWebhook}>
          <div className="field">
            <label className="field__label" htmlFor={`${id}-webhook`}>
              Webhook URL
            </label>
            <input
              id={`${id}-webhook`}
              type="url"
              inputMode="url"
              name="webhook_url"
              placeholder="https://example.com/hooks/chat"
              autoComplete="off"
              maxLength={MAX_WEBHOOK_URL_LENGTH}
              aria-describedby={`${id}-webhook-hint`}
              value={webhook}
              onChange={(event) => setWebhook(event.target.value)}
            />
            <span className="field__hint" id={`${id}-webhook-hint`}>
              {agent.webhook_url && !agent.webhook_active
                ? 'Off: the receiver answered 410 Gone. Save it again to turn it back on.'
                : 'New messages in its conversations are POSTed here, signed with its webhook secret.'}
            </span>
          </div>
          <div className="agent-card__buttons">
            <button type="submit" className="pill-button" disabled={busy || !webhookChanged}>
              Save webhook
            </button>
            {agent.webhook_url ? (
              <button type="button" className="pill-button" disabled={busy} onClick={() => saveWebhook(null)}>
                Remove webhook
              </button>
            ) : null}
          </div>
        </form>

        <p className="agent-card__status" role="status">
          {status}
        </p>
        {error ? (
          <p className="form-error" role="alert">
            {error}
          </p>
        ) : null}

        {asking === 'rotate' ? (
          <InlineConfirm
            title={`Rotate the key of ${agent.display_name}?`}
            text="The current key stops working at once: whatever runs the agent needs the new one."
            confirmLabel="Rotate"
            busy={busy}
            onConfirm={rotate}
            onCancel={() => setAsking(null)}
          />
        ) : asking === 'delete' ? (
          <InlineConfirm
            title={`Delete ${agent.display_name}?`}
            text="Its key stops working at once. This cannot be undone."
            confirmLabel="Delete"
            busy={busy}
            onConfirm={remove}
            onCancel={() => setAsking(null)}
          />
        ) : (
          <div className="agent-card__buttons">
            <button
              type="button"
              className="text-button"
              aria-label={`Rotate key of ${agent.display_name}`}
              onClick={() => setAsking('rotate')}
            >
              Rotate key
            </button>
            <button
              type="button"
              className="text-button text-button--danger"
              aria-label={`Delete ${agent.display_name}`}
              onClick={() => setAsking('delete')}
            >
              Delete
            </button>
          </div>
        )}
      </article>
    </li>
  );
}
