import { useId } from 'react';

interface NewPasswordFieldsProps {
  password: string;
  confirmation: string;
  onPassword: (value: string) => void;
  onConfirmation: (value: string) => void;
}

/**
 * "New password" and "Confirm new password", marked as a new password for password managers.
 * The rules are the server's (length, common passwords, the e-mail address): its refusal says
 * which one, so the hint only sets expectations.
 */
export function NewPasswordFields(props: NewPasswordFieldsProps) {
  const hintId = useId();
  return (
    <>
      <label className="field">
        <span className="field__label">New password</span>
        <input
          type="password"
          name="new-password"
          autoComplete="new-password"
          required
          aria-describedby={hintId}
          value={props.password}
          onChange={(event) => props.onPassword(event.target.value)}
        />
        <span className="field__hint" id={hintId}>
          Long, and not a common password or your e-mail address.
        </span>
      </label>
      <label className="field">
        <span className="field__label">Confirm new password</span>
        <input
          type="password"
          name="confirm-password"
          autoComplete="new-password"
          required
          value={props.confirmation}
          onChange={(event) => props.onConfirmation(event.target.value)}
        />
      </label>
    </>
  );
}

/** The check the browser cannot make: both fields say the same. */
export function mismatch(password: string, confirmation: string): string | null {
  return password === confirmation ? null : 'The two passwords are not the same.';
}
