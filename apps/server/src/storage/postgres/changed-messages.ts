import { MESSAGE_COLUMNS } from './rows';

/**
 * The messages of one conversation with updated_seq above `since`, the first
 * `limit` of them, in updated_seq order, as a subquery over alias `m`'s
 * columns (rows.ts). Those never changed (updated_seq = seq) come through
 * UNIQUE (conversation_id, seq), merged with the changed ones, which alone
 * migration 011's partial index holds: a send adds no entry to a second index.
 * The arguments are SQL expressions (a column or a parameter).
 */
export function changedMessagesSql(conversationId: string, since: string, limit: string): string {
  return `SELECT * FROM (
      (SELECT ${MESSAGE_COLUMNS} FROM messages m
       WHERE m.conversation_id = ${conversationId} AND m.seq > ${since} AND m.updated_seq = m.seq
       ORDER BY m.seq LIMIT ${limit})
      UNION ALL
      (SELECT ${MESSAGE_COLUMNS} FROM messages m
       WHERE m.conversation_id = ${conversationId} AND m.updated_seq > ${since} AND m.updated_seq > m.seq
       ORDER BY m.updated_seq LIMIT ${limit})
    ) u ORDER BY u.updated_seq LIMIT ${limit}`;
}
