import { useEffect, useId, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import type { CreateAgentRequest } from '@chat/protocol';
import { MAX_AGENT_DESCRIPTION_LENGTH } from '@chat/protocol';
import { errorText } from './agents-api';

/**
 * "Create agent": a display name, an optional description and whether it is public (anyone can
 * find and add it; otherwise only its owner). The server's refusal is said under the form.
 */
export function CreateAgentForm({
  onCreate,
  onCancel,
}: {
  onCreate: (request: CreateAgentRequest) => Promise<void>;
  onCancel: () => void;
}) {
  const id = useId();
  const nameInput = useRef<HTMLInputElement>(null);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [isPublic, setPublic] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => nameInput.current?.focus(), []);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const text = description.trim();
    onCreate({ display_name: name.trim(), ...(text ? { description: text } : {}), public: isPublic }).catch(
      (cause: unknown) => {
        setError(errorText(cause, 'Could not create the agent.'));
        setBusy(false);
      },
    );
  };

  return (
    <form className="agent-form" aria-labelledby={`${id}-title`} onSubmit={submit}>
      <h3 className="agents__section-title" id={`${id}-title`}>
        New agent
      </h3>
      <label className="field">
        <span className="field__label">Display name</span>
        <input
          ref={nameInput}
          type="text"
          name="agent_name"
          autoComplete="off"
          maxLength={100}
          required
          value={name}
          onChange={(event) => setName(event.target.value)}
        />
      </label>
      <label className="field">
        <span className="field__label">Description</span>
        <textarea
          name="agent_description"
          rows={2}
          maxLength={MAX_AGENT_DESCRIPTION_LENGTH}
          placeholder="Optional: what it does"
          value={description}
          onChange={(event) => setDescription(event.target.value)}
        />
      </label>
      <div className="agent-form__switch">
        <span className="agent-form__switch-text">
          <span id={`${id}-public`}>Public</span>
          <span className="field__hint" id={`${id}-public-hint`}>
            {isPublic ? 'Anyone can find it and add it to a conversation.' : 'Only you can find and add it.'}
          </span>
        </span>
        <button
          type="button"
          role="switch"
          aria-checked={isPublic}
          aria-labelledby={`${id}-public`}
          aria-describedby={`${id}-public-hint`}
          className="switch"
          onClick={() => setPublic((value) => !value)}
        >
          <span className="switch__knob" aria-hidden="true" />
        </button>
      </div>
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="agent-form__buttons">
        <button type="button" className="pill-button" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="primary-button" disabled={busy || name.trim() === ''}>
          Create
        </button>
      </div>
    </form>
  );
}
