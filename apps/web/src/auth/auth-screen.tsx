import { useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { AppLogo } from './app-logo';
import { useAuth } from './auth-context';
import { ForgotPassword } from './forgot-password';

type Action = 'sign-in' | 'sign-up';

/**
 * One form for both: Email and Password, plus a Display name used when signing up.
 * "Sign in" is the default (Enter); "Sign up" creates the account and signs in at once.
 * "Forgot password?" asks for a recovery link instead.
 */
export function AuthScreen() {
  const { signIn, signUp, redirectError } = useAuth();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [busy, setBusy] = useState<Action | null>(null);
  // A recovery link that did not work brings the person here: say why first.
  const [error, setError] = useState<string | null>(redirectError);
  const [forgot, setForgot] = useState(false);
  // Which button submitted: set by its click (Enter in a field clicks the first one, "Sign in").
  const chosen = useRef<Action>('sign-in');

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const action = chosen.current;
    chosen.current = 'sign-in';
    setBusy(action);
    setError(null);
    try {
      if (action === 'sign-up') await signUp(email.trim(), password, displayName.trim());
      else await signIn(email.trim(), password);
    } catch (cause) {
      setError(cause instanceof Error ? cause.message : 'Something went wrong. Please try again.');
      setBusy(null);
    }
  };

  if (forgot) {
    return (
      <ForgotPassword
        initialEmail={email.trim()}
        onBack={(typed) => {
          setEmail(typed);
          setError(null);
          setForgot(false);
        }}
      />
    );
  }

  return (
    <main className="auth-screen">
      <div className="auth-card">
        <AppLogo />
        <h1 className="auth-card__title">Messages</h1>
        <p className="auth-card__subtitle">Sign in, or sign up with a new e-mail address.</p>
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
          <label className="field">
            <span className="field__label">Password</span>
            <input
              type="password"
              name="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(event) => setPassword(event.target.value)}
            />
          </label>
          <button type="button" className="text-button auth-form__forgot" onClick={() => setForgot(true)}>
            Forgot password?
          </button>
          <label className="field">
            <span className="field__label">Display name</span>
            <input
              type="text"
              name="display_name"
              autoComplete="name"
              maxLength={100}
              aria-describedby="display-name-hint"
              value={displayName}
              onChange={(event) => setDisplayName(event.target.value)}
            />
            <span className="field__hint" id="display-name-hint">
              For new accounts: the name people see.
            </span>
          </label>
          {error ? (
            <p className="form-error" role="alert">
              {error}
            </p>
          ) : null}
          <div className="auth-form__buttons">
            <button
              type="submit"
              name="action"
              value="sign-in"
              className="primary-button"
              disabled={busy !== null}
              onClick={() => (chosen.current = 'sign-in')}
            >
              Sign in
            </button>
            <button
              type="submit"
              name="action"
              value="sign-up"
              className="secondary-button"
              disabled={busy !== null}
              onClick={() => (chosen.current = 'sign-up')}
            >
              Sign up
            </button>
          </div>
        </form>
      </div>
    </main>
  );
}
