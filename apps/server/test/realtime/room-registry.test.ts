import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { ManualClock } from '@chat/testkit';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createMemoryBroker } from '../../src/broker/memory-broker';
import { RoomRegistry } from '../../src/realtime/room-registry';
import { createSqliteStorage } from '../../src/storage/sqlite/sqlite-storage';
import type { Storage } from '../../src/storage/storage';
import { makeConversation, makeUsers, send } from '../storage/contract/fixture';
import { RecordingRecipient } from '../support/recording-recipient';

const RESYNC_INTERVAL_MS = 5000;
/** More rooms than one resync read takes (RESYNC_BATCH). */
const ROOMS = 501;

describe('RoomRegistry', () => {
  let dir: string;
  let storage: Storage;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'chat-rooms-'));
    storage = createSqliteStorage({ filename: join(dir, 'chat.db'), synchronous: 'NORMAL' });
  });
  afterEach(async () => {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the periodic resync finds what no broker event announced, in every room, past one read of them', async () => {
    const [ann, bob, cy] = await makeUsers(storage, 'ann', 'bob', 'cy');
    const clock = new ManualClock();
    const storageReads = { lastSeqs: 0 };
    const counted: Storage = Object.create(storage) as Storage;
    counted.lastSeqs = (ids) => {
      storageReads.lastSeqs++;
      return storage.lastSeqs(ids);
    };
    const registry = new RoomRegistry({
      broker: createMemoryBroker(),
      storage: counted,
      clock,
      log: pino({ level: 'silent' }),
      gapFillDelayMs: 250,
      resyncIntervalMs: RESYNC_INTERVAL_MS,
    });
    const ids: string[] = [];
    const recipients: RecordingRecipient[] = [];
    for (let i = 0; i < ROOMS; i++) {
      const id = await makeConversation(storage, ann!, [bob!, cy!], `group ${i}`);
      const recipient = new RecordingRecipient(bob!.id);
      const room = await registry.beginJoin(recipient, id);
      room.completeJoin(recipient, 0);
      ids.push(id);
      recipients.push(recipient);
    }
    // Written past the broker (another process's commit, a publish lost with Redis).
    const first = await send(storage, ids[0]!, ann!);
    const last = await send(storage, ids[ROOMS - 1]!, ann!);

    clock.advance(RESYNC_INTERVAL_MS);
    await vi.waitFor(() => {
      expect(recipients[0]!.changeSeqs).toEqual([first.seq]);
      expect(recipients[ROOMS - 1]!.changeSeqs).toEqual([last.seq]);
    });
    expect(storageReads.lastSeqs).toBe(2);
    expect(recipients.slice(1, -1).every((recipient) => recipient.frames.length === 0)).toBe(true);
    registry.close();
  });
});
