import { randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import type { Conversation, ConversationMember } from '@chat/protocol';
import { directKey } from '../../domain/conversation-rules';
import { checkMembership, type Membership } from '../../domain/membership-rules';
import type { Rejection } from '../../domain/rejection';
import { byTenure, type GroupFacts } from '../../domain/group-rules';
import type { NewConversation, ReadOutcome, SettingsChanges } from '../storage';
import { CONVERSATION_JSON, LAST_MESSAGE_JOIN } from './conversation-view';
import { toMember, type MemberRow } from './rows';

/**
 * Conversations, their members and their counter. A conversation as a viewer sees
 * it is one statement that SQLite answers as JSON text (conversation-view.ts);
 * the list of all a viewer's is conversation-list.ts.
 *
 * Plain synchronous functions over statements prepared once; sqlite-storage.ts
 * runs each in a transaction.
 */
export function conversationQueries(db: Database) {
  const insertConversation = db.prepare<[ConversationInsert]>(
    `INSERT INTO conversations (id, title, is_group, direct_key, created_at)
     VALUES (:id, :title, :is_group, :direct_key, :created_at)`,
  );
  const insertMember = db.prepare<[string, string, string, string]>(
    'INSERT INTO conversation_members (conversation_id, user_id, joined_at, role) VALUES (?, ?, ?, ?)',
  );
  const deleteMember = db.prepare<[string, string]>(
    'DELETE FROM conversation_members WHERE conversation_id = ? AND user_id = ?',
  );
  const setRole = db.prepare<[string, string, string]>(
    'UPDATE conversation_members SET role = ? WHERE conversation_id = ? AND user_id = ?',
  );
  const setTitle = db.prepare<[string | null, string]>('UPDATE conversations SET title = ? WHERE id = ?');
  const groupOf = db.prepare<[string], { is_group: 0 | 1; title: string | null }>(
    'SELECT is_group, title FROM conversations WHERE id = ?',
  );
  const settingsOf = db.prepare<
    [string, string],
    { muted_until: string | null; archived: 0 | 1; pinned_at: string | null }
  >(
    'SELECT muted_until, archived, pinned_at FROM conversation_members WHERE conversation_id = ? AND user_id = ?',
  );
  const setSettings = db.prepare<
    [{ muted_until: string | null; archived: 0 | 1; pinned_at: string | null; id: string; user: string }]
  >(
    `UPDATE conversation_members SET muted_until = :muted_until, archived = :archived, pinned_at = :pinned_at
     WHERE conversation_id = :id AND user_id = :user`,
  );
  const byDirectKey = db
    .prepare<[string], string>('SELECT id FROM conversations WHERE direct_key = ?')
    .pluck();
  const membershipOf = db.prepare<[string, string], { member: 0 | 1 | null }>(
    `SELECT (SELECT 1 FROM conversation_members WHERE conversation_id = c.id AND user_id = ?) AS member
     FROM conversations c WHERE c.id = ?`,
  );
  const memberIdsOf = db
    .prepare<[string], string>(
      'SELECT user_id FROM conversation_members WHERE conversation_id = ? ORDER BY rowid',
    )
    .pluck();
  const lastSeqOf = db.prepare<[string], number>('SELECT last_seq FROM conversations WHERE id = ?').pluck();
  const numbersOf = db.prepare<[string], { last_seq: number; members_version: number }>(
    'SELECT last_seq, members_version FROM conversations WHERE id = ?',
  );
  const lastSeqsOf = db.prepare<[string], { id: string; last_seq: number }>(
    'SELECT id, last_seq FROM conversations WHERE id IN (SELECT value FROM json_each(?))',
  );
  const takeSeqOf = db
    .prepare<[string], number>(
      'UPDATE conversations SET last_seq = last_seq + 1 WHERE id = ? RETURNING last_seq',
    )
    .pluck();
  const readSeqOf = db
    .prepare<[string, string], number>(
      'SELECT read_seq FROM conversation_members WHERE conversation_id = ? AND user_id = ?',
    )
    .pluck();
  const setReadSeq = db.prepare<[number, string, string]>(
    'UPDATE conversation_members SET read_seq = ? WHERE conversation_id = ? AND user_id = ?',
  );

  const memberColumns = `cm.conversation_id, cm.user_id, u.display_name, cm.read_seq, cm.role, u.is_agent,
    cm.joined_at`;
  const membersOf = db.prepare<[string], MemberRow>(
    `SELECT ${memberColumns} FROM conversation_members cm JOIN users u ON u.id = cm.user_id
     WHERE cm.conversation_id = ? ORDER BY cm.rowid`,
  );
  const oneConversation = db
    .prepare<[{ id: string; viewer: string }], string>(
      `SELECT ${CONVERSATION_JSON} FROM conversations c
       LEFT JOIN conversation_members me ON me.conversation_id = c.id AND me.user_id = :viewer
       ${LAST_MESSAGE_JOIN}
       WHERE c.id = :id`,
    )
    .pluck();

  function membership(conversationId: string, userId: string): Membership {
    const row = membershipOf.get(userId, conversationId);
    if (!row) return 'no_conversation';
    return row.member ? 'member' : 'not_member';
  }

  function members(conversationId: string): ConversationMember[] {
    return membersOf.all(conversationId).map(toMember);
  }

  return {
    membership,
    members,

    /** What domain/group-rules decides on; null for an unknown conversation. */
    groupFacts(conversationId: string): GroupFacts | null {
      const group = groupOf.get(conversationId);
      if (!group) return null;
      return {
        is_group: group.is_group === 1,
        title: group.title,
        members: membersOf
          .all(conversationId)
          .sort(byTenure)
          .map(({ user_id, role }) => ({ user_id, role })),
      };
    },

    setTitle(conversationId: string, title: string | null): void {
      setTitle.run(title, conversationId);
    },

    addMember(conversationId: string, userId: string, now: string): void {
      insertMember.run(conversationId, userId, now, 'member');
    },

    removeMember(conversationId: string, userId: string): void {
      deleteMember.run(conversationId, userId);
    },

    setRole(conversationId: string, userId: string, role: 'admin' | 'member'): void {
      setRole.run(role, conversationId, userId);
    },

    updateSettings(input: {
      conversation_id: string;
      user_id: string;
      changes: SettingsChanges;
      now: Date;
    }): { status: 'changed' } | Rejection {
      const refusal = checkMembership(membership(input.conversation_id, input.user_id));
      if (refusal) return refusal;
      const current = settingsOf.get(input.conversation_id, input.user_id)!;
      const { muted_until, archived, pinned } = input.changes;
      const pinnedAt =
        pinned === undefined
          ? current.pinned_at
          : pinned
            ? (current.pinned_at ?? input.now.toISOString())
            : null;
      setSettings.run({
        id: input.conversation_id,
        user: input.user_id,
        muted_until: muted_until === undefined ? current.muted_until : muted_until,
        archived: archived === undefined ? current.archived : archived ? 1 : 0,
        pinned_at: pinnedAt,
      });
      return { status: 'changed' };
    },

    /** Takes the conversation's next counter value. Call inside a write transaction. */
    takeSeq(conversationId: string): number {
      const seq = takeSeqOf.get(conversationId);
      if (seq === undefined) throw new Error(`conversation ${conversationId} does not exist`);
      return seq;
    },

    createConversation(input: NewConversation): { id: string; created: boolean } {
      const others = [...new Set(input.otherIds)].filter((id) => id !== input.creatorId);
      const [only] = others;
      if (only === undefined) throw new Error('a conversation needs a member besides its creator');
      const key = others.length === 1 ? directKey(input.creatorId, only) : null;
      if (key !== null) {
        const existing = byDirectKey.get(key);
        if (existing !== undefined) return { id: existing, created: false };
      }
      const id = randomUUID();
      const now = new Date().toISOString();
      insertConversation.run({
        id,
        title: key === null ? input.title : null,
        is_group: key === null ? 1 : 0,
        direct_key: key,
        created_at: now,
      });
      // The creator of a group is its first admin; a 1:1 has none.
      insertMember.run(id, input.creatorId, now, key === null ? 'admin' : 'member');
      for (const userId of others) insertMember.run(id, userId, now, 'member');
      return { id, created: true };
    },

    getConversation(id: string, viewerId: string): Conversation | null {
      const json = oneConversation.get({ id, viewer: viewerId });
      return json === undefined ? null : (JSON.parse(json) as Conversation);
    },

    memberIds(conversationId: string): string[] {
      return memberIdsOf.all(conversationId);
    },

    lastSeq(conversationId: string): number {
      return lastSeqOf.get(conversationId) ?? 0;
    },

    /** The two numbers that move with a conversation's messages and with its members (join-parts.ts). */
    numbers(conversationId: string): { last_seq: number; members_version: number } | null {
      return numbersOf.get(conversationId) ?? null;
    },

    lastSeqs(conversationIds: readonly string[]): Map<string, number> {
      const rows = lastSeqsOf.all(JSON.stringify(conversationIds));
      return new Map(rows.map((row) => [row.id, row.last_seq]));
    },

    markRead(input: { conversation_id: string; user_id: string; seq: number }): ReadOutcome {
      const refusal = checkMembership(membership(input.conversation_id, input.user_id));
      if (refusal) return refusal;
      const current = readSeqOf.get(input.conversation_id, input.user_id) ?? 0;
      const wanted = Math.min(input.seq, lastSeqOf.get(input.conversation_id) ?? 0);
      if (wanted <= current) return { status: 'unchanged', read_seq: current };
      setReadSeq.run(wanted, input.conversation_id, input.user_id);
      return { status: 'changed', read_seq: wanted };
    },
  };
}

interface ConversationInsert {
  id: string;
  title: string | null;
  is_group: 0 | 1;
  direct_key: string | null;
  created_at: string;
}
