import { userTopic, type Broker, type Unsubscribe } from '../broker/broker';
import type { Logger } from '../logger';
import type { Connection } from '../ws/connection';

/**
 * Every authenticated connection of a user on this process, reached through the
 * user's broker topic (a new conversation reaches all of its members' devices).
 */
export class UserChannels {
  private readonly users = new Map<
    string,
    { connections: Set<Connection>; unsubscribe: Promise<Unsubscribe | null> }
  >();

  constructor(private readonly deps: { broker: Broker; log: Logger }) {}

  async add(connection: Connection, userId: string): Promise<void> {
    const existing = this.users.get(userId);
    if (existing) {
      existing.connections.add(connection);
      await existing.unsubscribe;
      return;
    }
    const connections = new Set([connection]);
    const unsubscribe = this.deps.broker
      .subscribe(userTopic(userId), (event) => {
        for (const target of connections) target.sendSerialized(event.frame, event.type);
      })
      .catch((error: unknown) => {
        this.deps.log.error({ err: error, userId }, 'user topic subscribe failed');
        return null;
      });
    this.users.set(userId, { connections, unsubscribe });
    await unsubscribe;
  }

  remove(connection: Connection, userId: string): void {
    const entry = this.users.get(userId);
    if (!entry) return;
    entry.connections.delete(connection);
    if (entry.connections.size > 0) return;
    this.users.delete(userId);
    void entry.unsubscribe.then((unsubscribe) => unsubscribe?.());
  }
}
