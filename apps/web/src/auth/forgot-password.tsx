import { useEffect, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { AppLogo } from './app-logo';
import { useAuth } from './auth-context';

interface ForgotPasswordProps {
  /** What was typed in the sign-in form's Email, to start from. */
  initialEmail: string;
  /** Back to signing in, with the address as typed here. */
  onBack: (email: string) => void;
}

/**
 * "Forgot password?": the e-mail address, then "Check your e-mail". The server answers alike
 * whether the address has an account (no enumeration), and so does this screen.
 */
export function ForgotPassword({ initialEmail, onBack }: ForgotPasswordProps) {
  const { requestPasswordReset } = useAuth();
  const [email, setEmail] = useState(initialEmail);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [sentTo, setSentTo] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  // Each step's heading takes focus, so a screen reader announces where the person is now.
  useEffect(() => heading.current?.focus(), [sentTo]);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const address = email.trim();
    setBusy(true);
    setError(null);
    try {
      await requestPasswordReset(address);
      setSentTo(address);
    } catch (cause) {
      setError(cause instanceof Error ? cause.message : 'Something went wrong. Please try again.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="auth-screen">
      <div className="auth-card">
        <AppLogo />
        {sentTo ? (
          <>
            <h1 ref={heading} tabIndex={-1} className="auth-card__title">
              Check your e-mail
            </h1>
            <p className="auth-card__subtitle" role="status">
              If an account uses {sentTo}, a link to choose a new password is on its way. It works once,
              within an hour.
            </p>
            <div className="auth-form__buttons">
              <button type="button" className="primary-button" onClick={() => onBack(sentTo)}>
                Back to sign in
              </button>
            </div>
          </>
        ) : (
          <>
            <h1 ref={heading} tabIndex={-1} className="auth-card__title">
              Forgot your password?
            </h1>
            <p className="auth-card__subtitle">
              Enter your e-mail address and you will get a link to choose a new one.
            </p>
            <form className="auth-form" onSubmit={(event) => void submit(event)}>
              <label className="field">
                <span className="field__label">Email</span>
                <input
                  type="email"
                  name="email"
                  autoComplete="email"
                  required
                  value={email}
                  onChange={(event) => setEmail(event.target.value)}
                />
              </label>
              {error ? (
                <p className="form-error" role="alert">
                  {error}
                </p>
              ) : null}
              <div className="auth-form__buttons">
                <button type="submit" className="primary-button" disabled={busy}>
                  Send link
                </button>
                <button
                  type="button"
                  className="secondary-button"
                  disabled={busy}
                  onClick={() => onBack(email.trim())}
                >
                  Back to sign in
                </button>
              </div>
            </form>
          </>
        )}
      </div>
    </main>
  );
}
