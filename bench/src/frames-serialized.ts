/**
 * The chat server's `chat_frames_serialized_total` (texts made by its one
 * serialiser), from `GET /metrics`: read before and after a step, it says how
 * many times each message was turned into text, whatever its recipients.
 */
export async function readFramesSerialized(baseUrl: string): Promise<number> {
  const response = await fetch(`${baseUrl}/metrics`);
  if (!response.ok) throw new Error(`GET /metrics: HTTP ${response.status}`);
  const match = /^chat_frames_serialized_total (\S+)$/m.exec(await response.text());
  if (!match?.[1])
    throw new Error('GET /metrics: no chat_frames_serialized_total (a server without the counter)');
  return Number(match[1]);
}
