/**
 * The server's push payload (PROTOCOL.md section 13) and what the service worker does with it.
 * Pure: shared by `service-worker.ts` and its unit tests.
 */
export interface PushPayload {
  conversation_id: string;
  message_id: string;
  title: string;
  body: string;
}

/** The payload of a push, or null when it is not the server's JSON. */
export function parsePushPayload(text: string | null | undefined): PushPayload | null {
  if (!text) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const { conversation_id, message_id, title, body } = value as Record<string, unknown>;
  if (typeof conversation_id !== 'string' || conversation_id === '') return null;
  return {
    conversation_id,
    message_id: typeof message_id === 'string' ? message_id : '',
    title: typeof title === 'string' && title !== '' ? title : 'New message',
    body: typeof body === 'string' ? body : '',
  };
}

/** The app's route of a conversation (hash routes: see features/shell/use-hash-route.ts). */
export function conversationPath(conversationId: string | null): string {
  return conversationId && /^[0-9a-f-]{36}$/iu.test(conversationId) ? `/#/c/${conversationId}` : '/';
}

/** The conversation a notification was for, from its `data`. */
export function conversationOf(data: unknown): string | null {
  if (typeof data !== 'object' || data === null) return null;
  const id = (data as { conversation_id?: unknown }).conversation_id;
  return typeof id === 'string' ? id : null;
}
