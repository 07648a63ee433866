/**
 * Who is online in which conversation: a user is online there while any of
 * their connections, on any process, is joined to it. The in-process registry
 * counts connections; a cluster-wide one (Redis) implements the same interface.
 */
export interface PresenceRegistry {
  /** Counts one joined connection; true when the user just came online there. */
  add(conversationId: string, userId: string): Promise<boolean>;
  /** Uncounts one; true when the user just went offline there. */
  remove(conversationId: string, userId: string): Promise<boolean>;
  onlineUserIds(conversationId: string): Promise<Set<string>>;
  close(): Promise<void>;
}

export function createMemoryPresence(): PresenceRegistry {
  const counts = new Map<string, Map<string, number>>();
  return {
    async add(conversationId, userId) {
      let users = counts.get(conversationId);
      if (!users) counts.set(conversationId, (users = new Map()));
      const count = (users.get(userId) ?? 0) + 1;
      users.set(userId, count);
      return count === 1;
    },
    async remove(conversationId, userId) {
      const users = counts.get(conversationId);
      const count = users?.get(userId) ?? 0;
      if (!users || count === 0) return false;
      if (count > 1) {
        users.set(userId, count - 1);
        return false;
      }
      users.delete(userId);
      if (users.size === 0) counts.delete(conversationId);
      return true;
    },
    async onlineUserIds(conversationId) {
      return new Set(counts.get(conversationId)?.keys() ?? []);
    },
    async close() {
      counts.clear();
    },
  };
}
