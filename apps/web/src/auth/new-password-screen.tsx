import { useState } from 'react';
import type { FormEvent } from 'react';
import { AppLogo } from './app-logo';
import { useAuth } from './auth-context';
import { NewPasswordFields, mismatch } from './new-password-fields';

interface NewPasswordScreenProps {
  /** The password is set (or the person chose to go on without): show the app. */
  onDone: () => void;
}

/**
 * Shown when the app opens from a recovery link (supabase-js fired PASSWORD_RECOVERY): the link
 * signed the person in, and the forgotten password is replaced before anything else.
 */
export function NewPasswordScreen({ onDone }: NewPasswordScreenProps) {
  const { user, updatePassword, signOut } = useAuth();
  const [password, setPassword] = useState('');
  const [confirmation, setConfirmation] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const different = mismatch(password, confirmation);
    if (different) {
      setError(different);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await updatePassword(password);
      onDone();
    } catch (cause) {
      setError(cause instanceof Error ? cause.message : 'Could not change the password.');
      setBusy(false);
    }
  };

  return (
    <main className="auth-screen">
      <div className="auth-card">
        <AppLogo />
        <h1 className="auth-card__title">Choose a new password</h1>
        <p className="auth-card__subtitle">
          {user?.email ? `For ${user.email}. ` : ''}Your other devices will be signed out.
        </p>
        <form className="auth-form" onSubmit={(event) => void submit(event)}>
          <NewPasswordFields
            password={password}
            confirmation={confirmation}
            onPassword={setPassword}
            onConfirmation={setConfirmation}
          />
          {error ? (
            <p className="form-error" role="alert">
              {error}
            </p>
          ) : null}
          <div className="auth-form__buttons">
            <button type="submit" className="primary-button" disabled={busy}>
              Save password
            </button>
            <button
              type="button"
              className="secondary-button"
              disabled={busy}
              onClick={() => {
                onDone();
                void signOut();
              }}
            >
              Cancel and sign out
            </button>
          </div>
        </form>
      </div>
    </main>
  );
}
