/** Turns an auth failure (supabase-js AuthError, network error, anything) into a sentence for people. */
export function describeAuthError(error: unknown): string {
  if (error === null || error === undefined) return 'Something went wrong. Please try again.';
  const record = error as { message?: unknown; code?: unknown; status?: unknown; name?: unknown };
  const message = typeof record.message === 'string' ? record.message : '';
  const code = typeof record.code === 'string' ? record.code : '';
  const status = typeof record.status === 'number' ? record.status : 0;
  const text = `${code} ${message}`.toLowerCase();

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
  if (
    code === 'weak_password' ||
    (text.includes('password') &&
      (text.includes('at least') || text.includes('weak') || text.includes('short')))
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
