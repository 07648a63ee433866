import { useEffect, useId, useRef, useState } from 'react';

export interface Secret {
  /** "API key", "Webhook secret". */
  label: string;
  value: string;
}

/**
 * A new agent's key (and webhook secret), or a rotated key: shown this once, each with "Copy",
 * and said plainly that it will not be shown again. "I saved it" dismisses it for good.
 */
export function OneTimeSecret({
  title,
  secrets,
  onDone,
}: {
  title: string;
  secrets: readonly Secret[];
  onDone: () => void;
}) {
  const id = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  // Focus lands on the news, so a screen reader reads the warning first.
  useEffect(() => heading.current?.focus(), []);
  return (
    <section className="one-time-secret" aria-labelledby={`${id}-title`} aria-describedby={`${id}-warning`}>
      <h3 className="one-time-secret__title" id={`${id}-title`} ref={heading} tabIndex={-1}>
        {title}
      </h3>
      <p className="one-time-secret__warning" id={`${id}-warning`}>
        Copy it now and keep it somewhere safe: you will not see it again.
      </p>
      {secrets.map((secret) => (
        <SecretField key={secret.label} secret={secret} />
      ))}
      <button type="button" className="primary-button" onClick={onDone}>
        I saved it
      </button>
    </section>
  );
}

function SecretField({ secret }: { secret: Secret }) {
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const copy = () => {
    const clipboard = navigator.clipboard as Clipboard | undefined;
    if (!clipboard) {
      // No clipboard here (an insecure origin): select it, so Ctrl+C copies it.
      input.current?.select();
      setCopied('failed');
      return;
    }
    clipboard.writeText(secret.value).then(
      () => setCopied('yes'),
      () => {
        input.current?.select();
        setCopied('failed');
      },
    );
  };
  return (
    <div className="one-time-secret__field">
      <label className="field">
        <span className="field__label">{secret.label}</span>
        <input
          ref={input}
          className="one-time-secret__value"
          type="text"
          readOnly
          spellCheck={false}
          value={secret.value}
          onFocus={(event) => event.currentTarget.select()}
        />
      </label>
      <button
        type="button"
        className="secondary-button one-time-secret__copy"
        aria-label={`Copy ${secret.label}`}
        onClick={copy}
      >
        Copy
      </button>
      <span className="one-time-secret__copied" role="status">
        {copied === 'yes'
          ? 'Copied'
          : copied === 'failed'
            ? 'Press Ctrl+C (⌘C) to copy the selected text'
            : ''}
      </span>
    </div>
  );
}
