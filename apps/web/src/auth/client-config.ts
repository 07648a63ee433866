import type { ClientConfig } from '@chat/protocol';

/** Where auth lives, from `GET /api/config` (a null supabase_url means this origin: embedded auth). */
export async function loadClientConfig(fetchImpl: typeof fetch = fetch): Promise<ClientConfig> {
  let response: Response;
  try {
    response = await fetchImpl('/api/config', { headers: { accept: 'application/json' } });
  } catch {
    throw new Error('Cannot reach the server. Check your connection and reload.');
  }
  if (!response.ok) throw new Error(`The server could not give its configuration (HTTP ${response.status}).`);
  const body = (await response.json().catch(() => null)) as Partial<ClientConfig> | null;
  if (!body || typeof body.supabase_anon_key !== 'string') {
    throw new Error('The server sent an unreadable configuration.');
  }
  return {
    auth_mode: body.auth_mode === 'supabase' ? 'supabase' : 'embedded',
    supabase_url:
      typeof body.supabase_url === 'string' && body.supabase_url !== '' ? body.supabase_url : null,
    supabase_anon_key: body.supabase_anon_key,
  };
}

/** The Supabase URL to use: the configured one, else this page's origin. */
export function supabaseUrlOf(config: ClientConfig, origin: string): string {
  return config.supabase_url ?? origin;
}
