import { describe } from 'vitest';
import { agentsContract } from './contract/agents';
import { attachmentsContract } from './contract/attachments';
import { changesContract } from './contract/changes';
import { conversationsContract } from './contract/conversations';
import type { MakeStorage } from './contract/fixture';
import { groupsContract } from './contract/groups';
import { messagesContract } from './contract/messages';
import { pushContract } from './contract/push';
import { searchContract } from './contract/search';
import { snapshotContract } from './contract/snapshot';
import { streamsContract } from './contract/streams';
import { usersContract } from './contract/users';
import { webhooksContract } from './contract/webhooks';

export type { MakeStorage, StorageFixture } from './contract/fixture';

/**
 * The storage contract: every rule of the Storage interface, run against every
 * implementation (SQLite now, PostgreSQL later), the way socket.io runs one adapter
 * suite against every Redis setup. Each test gets a fresh, empty store from
 * `makeStorage`; tests are named after the rule they check.
 *
 * The sections live in ./contract/, one per concern: users and embedded auth,
 * conversations and reads, sends and history, edits/unsends/reactions and the
 * counter, join snapshots and durability.
 */
export function describeStorageContract(name: string, makeStorage: MakeStorage): void {
  const sections: Array<[string, (make: MakeStorage) => void]> = [
    ['users', usersContract],
    ['conversations', conversationsContract],
    ['messages', messagesContract],
    ['changes', changesContract],
    ['snapshot', snapshotContract],
    ['groups', groupsContract],
    ['search', searchContract],
    ['attachments', attachmentsContract],
    ['push', pushContract],
    ['agents', agentsContract],
    ['webhooks', webhooksContract],
    ['streams', streamsContract],
  ];
  describe(`storage contract: ${name}`, () => {
    // Each section in a describe of its own: its fixture's hooks then make one
    // store for its own tests, not one per section for every test.
    for (const [section, contract] of sections) describe(section, () => contract(makeStorage));
  });
}
