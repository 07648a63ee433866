import { describe, expect, it } from 'vitest';
import { menuStep, messageStep, opensMenu } from '../src/lib/keyboard-nav';

describe('messageStep (arrow keys between messages)', () => {
  it('moves one message up or down and stops at the ends', () => {
    expect(messageStep('ArrowUp', 3, 5)).toBe(2);
    expect(messageStep('ArrowDown', 3, 5)).toBe(4);
    expect(messageStep('ArrowUp', 0, 5)).toBe(0);
    expect(messageStep('ArrowDown', 4, 5)).toBe(4);
  });

  it('goes to the oldest with Home and the newest with End', () => {
    expect(messageStep('Home', 3, 5)).toBe(0);
    expect(messageStep('End', 1, 5)).toBe(4);
  });

  it('starts from the newest on Up and the oldest on Down when none is focused', () => {
    expect(messageStep('ArrowUp', -1, 5)).toBe(4);
    expect(messageStep('ArrowDown', -1, 5)).toBe(0);
  });

  it('leaves every other key, and an empty list, to the browser', () => {
    for (const key of ['ArrowLeft', 'ArrowRight', 'Enter', 'Tab', 'a', 'PageUp']) {
      expect(messageStep(key, 2, 5), key).toBeNull();
    }
    expect(messageStep('ArrowUp', -1, 0)).toBeNull();
  });
});

describe('menuStep (arrow keys inside the message menu)', () => {
  it('steps forward with Right and Down, back with Left and Up', () => {
    expect(menuStep('ArrowRight', 1, 10)).toBe(2);
    expect(menuStep('ArrowDown', 1, 10)).toBe(2);
    expect(menuStep('ArrowLeft', 1, 10)).toBe(0);
    expect(menuStep('ArrowUp', 1, 10)).toBe(0);
  });

  it('wraps around at both ends', () => {
    expect(menuStep('ArrowDown', 9, 10)).toBe(0);
    expect(menuStep('ArrowUp', 0, 10)).toBe(9);
  });

  it('goes to the first item with Home, the last with End, and enters from outside', () => {
    expect(menuStep('Home', 5, 10)).toBe(0);
    expect(menuStep('End', 5, 10)).toBe(9);
    expect(menuStep('ArrowDown', -1, 10)).toBe(0);
    expect(menuStep('ArrowUp', -1, 10)).toBe(9);
  });

  it('ignores other keys and an empty menu', () => {
    expect(menuStep('Enter', 2, 10)).toBeNull();
    expect(menuStep('x', 2, 10)).toBeNull();
    expect(menuStep('ArrowDown', 0, 0)).toBeNull();
  });
});

describe('opensMenu', () => {
  it('opens on Enter, Space, the menu key and Shift+F10, not on other keys', () => {
    expect(opensMenu({ key: 'Enter', shiftKey: false })).toBe(true);
    expect(opensMenu({ key: ' ', shiftKey: false })).toBe(true);
    expect(opensMenu({ key: 'ContextMenu', shiftKey: false })).toBe(true);
    expect(opensMenu({ key: 'F10', shiftKey: true })).toBe(true);
    expect(opensMenu({ key: 'F10', shiftKey: false })).toBe(false);
    expect(opensMenu({ key: 'ArrowUp', shiftKey: false })).toBe(false);
  });
});
