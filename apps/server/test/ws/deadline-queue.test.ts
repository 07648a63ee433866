import { ManualClock } from '@chat/testkit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DeadlineQueue } from '../../src/ws/deadline-queue';

class Item {
  deadlineIndex = -1;
  constructor(readonly name: number) {}
}

describe('DeadlineQueue', () => {
  it('calls each item once, at its latest deadline, never before, in deadline order', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            item: fc.nat(20),
            op: fc.constantFrom('set', 'set', 'delete'),
            at: fc.integer({ min: 0, max: 10_000 }),
          }),
          { maxLength: 80 },
        ),
        (steps) => {
          const clock = new ManualClock(0);
          const fired: Array<{ name: number; at: number }> = [];
          const queue = new DeadlineQueue<Item>(clock, (item) =>
            fired.push({ name: item.name, at: clock.now() }),
          );
          const items = Array.from({ length: 21 }, (_, index) => new Item(index));
          const expected = new Map<number, number>();
          for (const { item, op, at } of steps) {
            if (op === 'set') {
              queue.set(items[item] as Item, at);
              expected.set(item, at);
            } else {
              queue.delete(items[item] as Item);
              expected.delete(item);
            }
          }
          clock.advance(10_001);
          expect(fired.map(({ name }) => name).sort((a, b) => a - b)).toEqual(
            [...expected.keys()].sort((a, b) => a - b),
          );
          for (const { name, at } of fired) expect(at).toBe(expected.get(name));
          expect(queue.size).toBe(0);
          expect(items.every((item) => item.deadlineIndex === -1)).toBe(true);
        },
      ),
    );
  });

  it('runs on one timer: a later deadline does not re-arm it, an earlier one does', () => {
    const clock = new ManualClock(0);
    const fired: number[] = [];
    const queue = new DeadlineQueue<Item>(clock, (item) => fired.push(item.name));
    for (let index = 0; index < 1000; index++) queue.set(new Item(index), 5000 + index);
    expect(clock.pending).toBe(1);
    queue.set(new Item(-1), 100);
    expect(clock.pending).toBe(1);
    clock.advance(100);
    expect(fired).toEqual([-1]);
    clock.advance(5000);
    expect(fired).toHaveLength(102);
    clock.advance(1000);
    expect(fired).toHaveLength(1001);
  });

  it('an infinite deadline takes the item out; stop leaves no timer', () => {
    const clock = new ManualClock(0);
    const fired: number[] = [];
    const queue = new DeadlineQueue<Item>(clock, (item) => fired.push(item.name));
    const item = new Item(1);
    queue.set(item, 50);
    queue.set(item, Number.POSITIVE_INFINITY);
    clock.advance(100);
    expect(fired).toEqual([]);
    queue.set(item, 200);
    queue.stop();
    expect(clock.pending).toBe(0);
  });
});
