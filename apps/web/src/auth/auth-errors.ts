/** Turns an auth failure (supabase-js AuthError, network error, anything) into a sentence for people. */
export function describeAuthError(error: unknown): string {
  if (error === null || error === undefined) return 'Something went wrong. Please try again.';
  const record = error as { message?: unknown; code?: unknown; status?: unknown; name?: unknown };
  const message = typeof record.message === 'string' ? record.message : '';
  const code = typeof record.code === 'string' ? record.code : '';
  const status = typeof record.status === 'number' ? record.status : 0;
  const text = `${code} ${message}`.toLowerCase();
  // supabase-js's AuthWeakPasswordError: why the policy refused it (`length`, `pwned`, ...).
  const reasons = Array.isArray((error as { reasons?: unknown }).reasons)
    ? (error as { reasons: unknown[] }).reasons.filter((r): r is string => typeof r === 'string')
    : [];

  if (
    code === 'invalid_credentials' ||
    text.includes('invalid login credentials') ||
    text.includes('invalid_grant')
  ) {
    return 'Wrong e-mail or password.';
  }
  if (
    code === 'user_already_exists' ||
    code === 'email_exists' ||
    text.includes('already registered') ||
    text.includes('already exists')
  ) {
    return 'An account with this e-mail already exists. Sign in instead.';
  }
  if (code === 'weak_password' || reasons.length > 0) return describeWeakPassword(reasons, message);
  if (code === 'same_password') return 'That is your current password. Choose a different one.';
  if (
    text.includes('password') &&
    (text.includes('at least') || text.includes('weak') || text.includes('short'))
  ) {
    return message || 'Choose a longer password.';
  }
  if (
    code === 'validation_failed' ||
    text.includes('invalid email') ||
    text.includes('unable to validate email')
  ) {
    return message ? `Check your details: ${message}` : 'Check the e-mail address.';
  }
  if (code === 'email_not_confirmed') return 'Confirm your e-mail address first, then sign in.';
  if (code === 'over_email_send_rate_limit') {
    return 'An e-mail was sent to this address a moment ago. Wait a minute before asking again.';
  }
  if (status === 429 || code === 'over_request_rate_limit' || text.includes('rate limit')) {
    return 'Too many attempts. Wait a moment and try again.';
  }
  if (
    record.name === 'AuthRetryableFetchError' ||
    text.includes('failed to fetch') ||
    text.includes('network')
  ) {
    return 'Cannot reach the server. Check your connection and try again.';
  }
  if (status >= 500) return 'The server had a problem. Please try again.';
  return message || 'Something went wrong. Please try again.';
}

/**
 * A refused password in words: each of the policy's reasons, so people know what to change.
 * The server's own text carries the configured minimum length, so it is kept for `length`.
 */
function describeWeakPassword(reasons: readonly string[], message: string): string {
  const parts: string[] = [];
  if (reasons.includes('length')) {
    const minimum = /at least (\d+)/u.exec(message)?.[1];
    parts.push(minimum ? `Use at least ${minimum} characters.` : 'Use a longer password.');
  }
  if (reasons.includes('pwned')) {
    parts.push('This password is too common or too easy to guess (your e-mail address is refused too).');
  }
  if (reasons.includes('characters')) parts.push('Use a mix of letters, digits and symbols.');
  if (parts.length === 0) return message || 'Choose a stronger password.';
  return `${parts.join(' ')} Choose another password.`;
}
