import { readFileSync } from 'node:fs';
import { COMMON_PASSWORDS } from './common-passwords';
import { GoTrueError, GoTrueErrorCode } from './gotrue-errors';

/**
 * What the embedded auth accepts as a new password (sign-up, update, recovery):
 * at least `minLength` code points, not one of the common passwords (built in,
 * plus an operator's file), not the account's own e-mail or its local part.
 * Refusals are GoTrue's `weak_password` with its reasons (`length`, `pwned`),
 * so supabase-js raises an `AuthWeakPasswordError`.
 */
export interface PasswordPolicy {
  minLength: number;
  /** Lower-cased, NFC. */
  blocklist: ReadonlySet<string>;
}

export const DEFAULT_PASSWORD_MIN_LENGTH = 8;

/** The policy: the built-in list plus the non-empty lines of `blocklistFile` (read once, at start). */
export function createPasswordPolicy(
  options: { minLength?: number; blocklistFile?: string } = {},
): PasswordPolicy {
  const extra = options.blocklistFile ? readFileSync(options.blocklistFile, 'utf8').split(/\r?\n/) : [];
  const blocklist = new Set<string>();
  for (const entry of [...COMMON_PASSWORDS, ...extra]) {
    const key = comparable(entry);
    if (key !== '') blocklist.add(key);
  }
  return { minLength: options.minLength ?? DEFAULT_PASSWORD_MIN_LENGTH, blocklist };
}

/** null when `password` may be used by the account of `email`; else the refusal to send. */
export function checkPassword(policy: PasswordPolicy, password: string, email: string): GoTrueError | null {
  if (Array.from(password).length < policy.minLength) {
    return new GoTrueError(
      422,
      GoTrueErrorCode.WeakPassword,
      `Password should be at least ${policy.minLength} characters.`,
      { reasons: ['length'] },
    );
  }
  const key = comparable(password);
  const address = comparable(email);
  const local = address.split('@')[0] ?? '';
  if (policy.blocklist.has(key) || key === address || (local.length > 0 && key === local)) {
    return new GoTrueError(
      422,
      GoTrueErrorCode.WeakPassword,
      'Password is known to be weak and easy to guess, please choose a different one.',
      { reasons: ['pwned'] },
    );
  }
  return null;
}

function comparable(text: string): string {
  return text.normalize('NFC').trim().toLowerCase();
}
