import type { User } from '@chat/protocol';

/**
 * What a people search may show (docs/protocol.md section 7, v2): an empty
 * query finds no one, and an e-mail address is shown only to a query that is a
 * prefix of it, so nobody can list the directory's addresses.
 */
export function directoryEntry(user: User, query: string): User {
  const shown = user.email !== null && user.email.toLowerCase().startsWith(query.trim().toLowerCase());
  return shown ? user : { ...user, email: null };
}

export function isEmptyDirectoryQuery(query: string | undefined): boolean {
  return (query ?? '').trim() === '';
}
