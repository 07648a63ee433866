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
  const id = useId();
  // The hint sits outside the label: inside, it would become part of the field's name.
  return (
    <>
      <div className="field">
        <label className="field__label" htmlFor={`${id}-new`}>
          New password
        </label>
        <input
          id={`${id}-new`}
          type="password"
          name="new-password"
          autoComplete="new-password"
          required
          aria-describedby={`${id}-hint`}
          value={props.password}
          onChange={(event) => props.onPassword(event.target.value)}
        />
        <span className="field__hint" id={`${id}-hint`}>
          Long, and not a common password or your e-mail address.
        </span>
      </div>
      <div className="field">
        <label className="field__label" htmlFor={`${id}-again`}>
          Confirm new password
        </label>
        <input
          id={`${id}-again`}
          type="password"
          name="confirm-password"
          autoComplete="new-password"
          required
          value={props.confirmation}
          onChange={(event) => props.onConfirmation(event.target.value)}
        />
      </div>
    </>
  );
}

/** The check the browser cannot make: both fields say the same. */
export function mismatch(password: string, confirmation: string): string | null {
  return password === confirmation ? null : 'The two passwords are not the same.';
}
