import { describe, expect, test } from 'vitest';
import type { Message } from '@chat/protocol';
import { pushCandidates, type PushMember } from '../../src/domain/notification-rules';
import { textMessage } from '../support/messages';

const now = new Date('2026-12-03T12:00:00Z');
const later = '2026-12-03T13:00:00.000Z';

function member(user_id: string, patch: Partial<PushMember> = {}): PushMember {
  return { user_id, display_name: user_id, muted_until: null, subscribed: true, ...patch };
}

function text(patch: Partial<Message> = {}): Message {
  return textMessage(1, { sender_id: 'ada', ...patch });
}

describe('pushCandidates (section 13)', () => {
  test('every subscribed member but the sender, and not those who muted unless mentioned', () => {
    const members = [
      member('ada'),
      member('bob'),
      member('cy', { muted_until: later }),
      member('dee', { muted_until: later }),
    ];
    expect(pushCandidates(text({ mentions: ['dee'] }), members, now)).toEqual(['bob', 'dee']);
  });

  test('members with no subscription are never candidates, mentioned or not', () => {
    const members = [member('ada'), member('bob', { subscribed: false }), member('cy')];
    expect(pushCandidates(text({ mentions: ['bob'] }), members, now)).toEqual(['cy']);
  });

  test('system and unsent messages push no one', () => {
    const members = [member('ada'), member('bob')];
    expect(pushCandidates(text({ kind: 'system' }), members, now)).toEqual([]);
    expect(pushCandidates(text({ deleted_at: now.toISOString() }), members, now)).toEqual([]);
  });
});
