import { describe, expect, it } from 'vitest';
import { Id } from '@chat/protocol';
import { newMessageId } from '../../src/domain/message-id';

describe('newMessageId', () => {
  it('is a UUIDv7 with the RFC 9562 variant, which the protocol accepts', () => {
    for (let i = 0; i < 1000; i++) {
      const id = newMessageId();
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/u);
      expect(Id.safeParse(id).success).toBe(true);
    }
  });

  it('carries the time in its first 48 bits, so ids of later milliseconds sort after', () => {
    const at = Date.parse('2026-12-01T08:30:00.123Z');
    const id = newMessageId(at);
    expect(Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(at);
    const later = [at + 1, at + 1000, at + 86_400_000].map((t) => newMessageId(t));
    expect([...later, id].sort()).toEqual([id, ...later]);
  });

  it('repeats no id among many made in the same millisecond', () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => newMessageId(1_000)));
    expect(ids.size).toBe(10_000);
  });
});
