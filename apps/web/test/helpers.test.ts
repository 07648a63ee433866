import { describe, expect, it } from 'vitest';
import { conversationTitle, firstName, initials } from '../src/lib/conversation-title';
import { messagePreview, unsentNotice } from '../src/lib/message-preview';
import { canEdit, canUnsend } from '../src/lib/message-rules';
import { myReaction, reactionEmoji, summarizeReactions } from '../src/lib/tapbacks';
import { BOB, CAROL, ME, msg } from './fixtures';

const member = (user_id: string, display_name: string) => ({ user_id, display_name });

describe('conversationTitle', () => {
  it('uses the title when there is one', () => {
    expect(conversationTitle({ title: 'Trip', is_group: true, members: [] }, ME)).toBe('Trip');
  });

  it('names a 1:1 after the other person', () => {
    const members = [member(ME, 'Ada Lovelace'), member(BOB, 'Bob Marley')];
    expect(conversationTitle({ title: null, is_group: false, members }, ME)).toBe('Bob Marley');
  });

  it("names an untitled group by the others' first names", () => {
    const members = [member(ME, 'Ada Lovelace'), member(BOB, 'Bob Marley'), member(CAROL, 'Carol Danvers')];
    expect(conversationTitle({ title: null, is_group: true, members }, ME)).toBe('Bob, Carol');
    expect(conversationTitle({ title: '  ', is_group: true, members }, ME)).toBe('Bob, Carol');
  });
});

describe('names', () => {
  it('takes first names and initials', () => {
    expect(firstName('  Bob  Marley ')).toBe('Bob');
    expect(initials('Bob Nesta Marley')).toBe('BM');
    expect(initials('cher')).toBe('C');
  });
});

describe('messagePreview', () => {
  it('shows the body on one line', () => {
    expect(messagePreview(msg(1, BOB, 'hi\nthere  you', 0), ME)).toBe('hi there you');
    expect(messagePreview(msg(1, BOB, '', 0, { state: 'streaming' }), ME)).toBe('Writing…');
    expect(messagePreview(msg(1, BOB, 'Half', 0, { state: 'stopped' }), ME)).toBe('Half');
  });

  it('shows unsent messages from me and from others', () => {
    const deleted = { deleted_at: new Date().toISOString(), body: '' };
    expect(messagePreview(msg(1, ME, '', 0, deleted), ME)).toBe('You unsent a message');
    expect(messagePreview(msg(1, BOB, '', 0, deleted), ME)).toBe('Message unsent');
    expect(unsentNotice(false, 'Bob')).toBe('Bob unsent a message');
  });

  it('says when there is nothing yet', () => {
    expect(messagePreview(null, ME)).toBe('No messages yet');
    const added = msg(2, ME, '', 1, {
      kind: 'system',
      client_id: null,
      event: { type: 'members_added', user_ids: [BOB] },
    });
    expect(messagePreview(added, ME, (id) => (id === ME ? 'You' : 'Bob'))).toBe('You added Bob');
  });
});

describe('message rules', () => {
  const created = new Date(2025, 0, 1, 12, 0);
  const mine = msg(1, ME, 'a', created);
  const at = (minutes: number) => created.getTime() + minutes * 60_000;

  it('lets the sender edit within 15 minutes', () => {
    expect(canEdit(mine, ME, at(14))).toBe(true);
    expect(canEdit(mine, ME, at(15))).toBe(false);
    expect(canEdit(mine, BOB, at(1))).toBe(false);
  });

  it('lets the sender unsend within 2 minutes', () => {
    expect(canUnsend(mine, ME, at(1.9))).toBe(true);
    expect(canUnsend(mine, ME, at(2))).toBe(false);
    expect(canUnsend({ ...mine, deleted_at: created.toISOString() }, ME, at(1))).toBe(false);
  });
});

describe('tapbacks', () => {
  it('maps the six tapbacks to their emoji and keeps other emoji', () => {
    expect(reactionEmoji('love')).toBe('❤️');
    expect(reactionEmoji('emphasize')).toBe('‼️');
    expect(reactionEmoji('🎉')).toBe('🎉');
  });

  it('summarizes in the fixed order with counts', () => {
    const summary = summarizeReactions({ '🎉': [BOB], laugh: [BOB, ME], love: [CAROL] }, ME);
    expect(summary.map((r) => [r.reaction, r.count, r.mine])).toEqual([
      ['love', 1, false],
      ['laugh', 2, true],
      ['🎉', 1, false],
    ]);
  });

  it("finds this user's reaction", () => {
    expect(myReaction({ like: [BOB], question: [ME] }, ME)).toBe('question');
    expect(myReaction({ like: [BOB] }, ME)).toBeNull();
  });
});
