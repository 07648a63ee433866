import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, expect } from 'vitest';
import { Message as MessageSchema, type Message, type User } from '@chat/protocol';
import type { AppendOutcome, ChangeOutcome, NewMessage, Storage } from '../../../src/storage/storage';

/** What an implementation hands the contract suite: a fresh, empty store. */
export interface StorageFixture {
  storage: Storage;
  /**
   * Opens another Storage on the same data: a restarted server (the previous one
   * closed first) or a second server process (both open at once).
   */
  reopen: () => Promise<Storage>;
  /** Closes whatever is still open and deletes the data. */
  cleanup: () => Promise<void>;
}

export type MakeStorage = () => Promise<StorageFixture>;

/** A fresh fixture for every test of the enclosing `describe`; returns its accessor. */
export function useFixture(makeStorage: MakeStorage): () => StorageFixture {
  let fixture: StorageFixture | undefined;
  beforeEach(async () => {
    fixture = await makeStorage();
  });
  afterEach(async () => {
    await fixture?.cleanup();
    fixture = undefined;
  });
  return () => {
    if (!fixture) throw new Error('the fixture exists only inside a test');
    return fixture;
  };
}

/** Stores one user per name (e-mail `<name>@example.com`, display name capitalized). */
export async function makeUsers(storage: Storage, ...names: string[]): Promise<User[]> {
  const users: User[] = [];
  for (const name of names) {
    const display_name = name.charAt(0).toUpperCase() + name.slice(1);
    users.push(await storage.ensureUser({ id: randomUUID(), email: `${name}@example.com`, display_name }));
  }
  return users;
}

/** A conversation of `creator` and `others`; returns its id. */
export async function makeConversation(
  storage: Storage,
  creator: User,
  others: User[],
  title: string | null = null,
): Promise<string> {
  const { id } = await storage.createConversation({
    creatorId: creator.id,
    otherIds: others.map((u) => u.id),
    title,
  });
  return id;
}

export function newMessage(
  conversationId: string,
  sender: User,
  body = 'hello',
  extra: Partial<NewMessage> = {},
) {
  return {
    conversation_id: conversationId,
    sender_id: sender.id,
    client_id: randomUUID(),
    body,
    reply_to: null,
    mentions: [],
    ...extra,
  } satisfies NewMessage;
}

/** Sends one message that must be created; returns it. */
export async function send(
  storage: Storage,
  conversationId: string,
  sender: User,
  body = 'hello',
): Promise<Message> {
  const [outcome] = await storage.appendMessages([newMessage(conversationId, sender, body)]);
  return createdMessage(outcome);
}

/** Sends `count` messages in one batch; returns them in seq order. */
export async function sendMany(
  storage: Storage,
  conversationId: string,
  sender: User,
  count: number,
): Promise<Message[]> {
  const batch = Array.from({ length: count }, (_, i) =>
    newMessage(conversationId, sender, `message ${i + 1}`),
  );
  return (await storage.appendMessages(batch)).map(createdMessage);
}

export function createdMessage(outcome: AppendOutcome | undefined): Message {
  if (outcome?.status !== 'created') throw new Error(`expected created, got ${JSON.stringify(outcome)}`);
  expectMessageShape(outcome.message);
  return outcome.message;
}

export function changedMessage(outcome: ChangeOutcome): Message {
  if (outcome.status !== 'changed') throw new Error(`expected changed, got ${JSON.stringify(outcome)}`);
  expectMessageShape(outcome.message);
  return outcome.message;
}

/** The protocol's Message schema holds (UUID ids, positive seqs, no extra columns). */
export function expectMessageShape(message: Message): void {
  expect(MessageSchema.strict().parse(message)).toEqual(message);
}

/** A point `ms` after the message was created, for the edit and unsend windows. */
export function after(message: Message, ms: number): Date {
  return new Date(Date.parse(message.created_at) + ms);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
