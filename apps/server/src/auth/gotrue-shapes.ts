import { createHash } from 'node:crypto';
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
  identities: [GoTrueIdentity];
  /** A pending e-mail change (confirmation sent), as GoTrue reports it. */
  new_email?: string;
  email_change_sent_at?: string;
  created_at: string;
  updated_at: string;
  is_anonymous: false;
}

/** The `email` identity every password account has in GoTrue. */
export interface GoTrueIdentity {
  identity_id: string;
  id: string;
  user_id: string;
  identity_data: { email: string; email_verified: true; phone_verified: false; sub: string };
  provider: 'email';
  last_sign_in_at: string | null;
  created_at: string;
  updated_at: string;
  email: string;
}

export interface GoTrueSession {
  access_token: string;
  token_type: 'bearer';
  expires_in: number;
  expires_at: number;
  refresh_token: string;
  user: GoTrueUser;
}

/**
 * `lastSignInAt`: no sign-in time is stored, so callers pass the best they know (or null).
 * `pendingEmail`: the address of an e-mail change whose confirmation was just sent.
 */
export function goTrueUser(
  user: AuthUser,
  lastSignInAt: Date | null,
  pendingEmail?: { email: string; sentAt: Date },
): GoTrueUser {
  const signedIn = lastSignInAt ? lastSignInAt.toISOString() : null;
  return {
    id: user.id,
    aud: 'authenticated',
    role: 'authenticated',
    email: user.email,
    email_confirmed_at: user.created_at,
    phone: '',
    confirmed_at: user.created_at,
    last_sign_in_at: signedIn,
    app_metadata: { provider: 'email', providers: ['email'] },
    user_metadata: user.user_metadata,
    identities: [
      {
        identity_id: identityIdOf(user.id),
        id: user.id,
        user_id: user.id,
        identity_data: { email: user.email, email_verified: true, phone_verified: false, sub: user.id },
        provider: 'email',
        last_sign_in_at: signedIn,
        created_at: user.created_at,
        updated_at: user.updated_at,
        email: user.email,
      },
    ],
    ...(pendingEmail
      ? { new_email: pendingEmail.email, email_change_sent_at: pendingEmail.sentAt.toISOString() }
      : {}),
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

/** A stable UUID for the one identity of a user (no identities table: it is derived, not stored). */
function identityIdOf(userId: string): string {
  const hex = createHash('sha256').update(`email-identity:${userId}`).digest('hex');
  const variant = ((parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
