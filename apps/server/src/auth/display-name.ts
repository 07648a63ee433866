/** Display names longer than this (in code points) are cut: they come from third-party tokens too. */
export const MAX_DISPLAY_NAME_LENGTH = 64;

/**
 * The name a user goes by (docs/protocol.md section 2): `user_metadata.display_name`,
 * `full_name` or `name`, else the part of the e-mail before the @, else "User".
 * Both the token verifier and the embedded sign-up use it, so the two agree.
 */
export function displayNameOf(
  metadata: Record<string, unknown> | undefined,
  email: string | undefined,
): string {
  for (const key of ['display_name', 'full_name', 'name']) {
    const value = metadata?.[key];
    if (typeof value === 'string' && value.trim() !== '') return clip(value.trim());
  }
  const local = email?.split('@')[0]?.trim();
  return local ? clip(local) : 'User';
}

function clip(name: string): string {
  const points = Array.from(name);
  return points.length <= MAX_DISPLAY_NAME_LENGTH ? name : points.slice(0, MAX_DISPLAY_NAME_LENGTH).join('');
}
