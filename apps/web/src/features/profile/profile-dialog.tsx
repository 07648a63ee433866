import { useCallback, useId, useState } from 'react';
import type { FormEvent, ReactNode } from 'react';
import { useAuth } from '../../auth/auth-context';
import { NewPasswordFields, mismatch } from '../../auth/new-password-fields';
import { Avatar } from '../../components/ui/avatar';
import { ModalDialog } from '../../components/ui/modal-dialog';
import { DialogHeader } from '../../components/ui/dialog-header';

interface ProfileDialogProps {
  onClose: () => void;
}

/** One action's progress: its button disabled while busy, then a status or an error under it. */
interface Outcome {
  busy: boolean;
  status: string | null;
  error: string | null;
}

const IDLE: Outcome = { busy: false, status: null, error: null };

/** Runs an account action and keeps what people should read about it. */
function useOutcome() {
  const [outcome, setOutcome] = useState<Outcome>(IDLE);
  const run = useCallback(async (action: () => Promise<void>, done: string): Promise<boolean> => {
    setOutcome({ busy: true, status: null, error: null });
    try {
      await action();
      setOutcome({ busy: false, status: done, error: null });
      return true;
    } catch (cause) {
      const error = cause instanceof Error ? cause.message : 'Something went wrong. Please try again.';
      setOutcome({ busy: false, status: null, error });
      return false;
    }
  }, []);
  return [outcome, run] as const;
}

/** A status (polite, always present so it is announced) and an error (an alert) for a section. */
function OutcomeText({ outcome }: { outcome: Outcome }) {
  return (
    <>
      <p className="profile-section__status" role="status">
        {outcome.status}
      </p>
      {outcome.error ? (
        <p className="form-error" role="alert">
          {outcome.error}
        </p>
      ) : null}
    </>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  const id = useId();
  return (
    <section className="profile-section" aria-labelledby={id}>
      <h3 id={id} className="profile-section__title">
        {title}
      </h3>
      {children}
    </section>
  );
}

/**
 * The profile screen: the display name people see, a new password (the server's policy explains
 * a refusal), and "Sign out of other devices". A modal dialog like "New conversation": Escape, a
 * click outside or "Done" closes it, and focus goes back to what opened it.
 */
export function ProfileDialog({ onClose }: ProfileDialogProps) {
  const { user, updateDisplayName, updatePassword, signOutOtherDevices } = useAuth();
  const headingId = useId();
  const [name, setName] = useState(user?.display_name ?? '');
  const [password, setPassword] = useState('');
  const [confirmation, setConfirmation] = useState('');
  const [nameOutcome, runName] = useOutcome();
  const [passwordOutcome, runPassword] = useOutcome();
  const [devicesOutcome, runDevices] = useOutcome();

  const saveName = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    void runName(() => updateDisplayName(name.trim()), 'Name saved. People see it in your conversations.');
  };

  const changePassword = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const different = mismatch(password, confirmation);
    void runPassword(async () => {
      if (different) throw new Error(different);
      await updatePassword(password);
    }, 'Password changed. Your other devices were signed out.').then((changed) => {
      if (!changed) return;
      setPassword('');
      setConfirmation('');
    });
  };

  if (!user) return null;
  const nameUnchanged = name.trim() === user.display_name || name.trim() === '';

  return (
    <ModalDialog
      labelledBy={headingId}
      onClose={onClose}
      className="dialog profile-dialog"
      initialFocus=".profile-dialog__title"
    >
      {(close) => (
        <>
          <DialogHeader
            headingId={headingId}
            title="Profile"
            onDone={close}
            headingClassName="profile-dialog__title"
            doneClassName="profile-dialog__done"
            focusableHeading
          />
          <div className="profile">
            <div className="profile__who">
              <Avatar name={user.display_name} size="large" />
              <p className="profile__name">{user.display_name}</p>
              <p className="profile__email">{user.email}</p>
            </div>

            <Section title="Name">
              <form className="profile-form" onSubmit={saveName}>
                <label className="field">
                  <span className="field__label">Display name</span>
                  <input
                    type="text"
                    name="display_name"
                    autoComplete="name"
                    maxLength={100}
                    required
                    value={name}
                    onChange={(event) => setName(event.target.value)}
                  />
                </label>
                <OutcomeText outcome={nameOutcome} />
                <button type="submit" className="primary-button" disabled={nameOutcome.busy || nameUnchanged}>
                  Save name
                </button>
              </form>
            </Section>

            <Section title="Password">
              <form className="profile-form" onSubmit={changePassword}>
                <NewPasswordFields
                  password={password}
                  confirmation={confirmation}
                  onPassword={setPassword}
                  onConfirmation={setConfirmation}
                />
                <OutcomeText outcome={passwordOutcome} />
                <button type="submit" className="primary-button" disabled={passwordOutcome.busy}>
                  Change password
                </button>
              </form>
            </Section>

            <Section title="Other devices">
              <p className="profile-section__text">
                Signed in on a phone or computer you no longer use? End every other session; this one stays
                signed in.
              </p>
              <OutcomeText outcome={devicesOutcome} />
              <button
                type="button"
                className="secondary-button"
                disabled={devicesOutcome.busy}
                onClick={() => void runDevices(signOutOtherDevices, 'Your other devices are signed out.')}
              >
                Sign out of other devices
              </button>
            </Section>
          </div>
        </>
      )}
    </ModalDialog>
  );
}
