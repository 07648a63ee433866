import type { AuthUser } from '../storage/storage';
import type { IssuedSession } from './session-tokens';

/**
 * The JSON bodies of Supabase Auth (GoTrue) that supabase-js reads: the user
 * object and the session. Sign-up confirms at once, so `email_confirmed_at` and
 * `confirmed_at` are the creation time.
 */
export interface GoTrueUser {
  id: string;
  aud: 'authenticated';
  role: 'authenticated';
  email: string;
  email_confirmed_at: string;
  phone: '';
  confirmed_at: string;
  last_sign_in_at: string | null;
  app_metadata: { provider: 'email'; providers: ['email'] };
  user_metadata: Record<string, unknown>;
  identities: [];
  created_at: string;
  updated_at: string;
  is_anonymous: false;
}

export interface GoTrueSession {
  access_token: string;
  token_type: 'bearer';
  expires_in: number;
  expires_at: number;
  refresh_token: string;
  user: GoTrueUser;
}

/** `lastSignInAt`: no sign-in time is stored, so callers pass the best they know (or null). */
export function goTrueUser(user: AuthUser, lastSignInAt: Date | null): GoTrueUser {
  return {
    id: user.id,
    aud: 'authenticated',
    role: 'authenticated',
    email: user.email,
    email_confirmed_at: user.created_at,
    phone: '',
    confirmed_at: user.created_at,
    last_sign_in_at: lastSignInAt ? lastSignInAt.toISOString() : null,
    app_metadata: { provider: 'email', providers: ['email'] },
    user_metadata: user.user_metadata,
    identities: [],
    created_at: user.created_at,
    updated_at: user.updated_at,
    is_anonymous: false,
  };
}

export function goTrueSession(session: IssuedSession): GoTrueSession {
  return {
    access_token: session.access_token,
    token_type: 'bearer',
    expires_in: session.expires_in,
    expires_at: session.expires_at,
    refresh_token: session.refresh_token,
    user: goTrueUser(session.user, session.issued_at),
  };
}
