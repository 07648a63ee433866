import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { useRef } from 'react';
import { REVEAL_PX, useSwipeReveal } from '../src/components/chat/use-swipe-reveal';

/* The swipe that shows message times: a left drag of a finger, never a scroll or a mouse drag. */

afterEach(cleanup);

function List() {
  const ref = useRef<HTMLDivElement>(null);
  const swipe = useSwipeReveal(ref);
  return (
    <div ref={ref} role="log" data-swiping={swipe.swiping} {...swipe.handlers}>
      messages
    </div>
  );
}

function drag(target: Element, pointerType: string, points: readonly [number, number][]) {
  const [start, ...moves] = points;
  const init = (x: number, y: number) => ({
    pointerId: 7,
    pointerType,
    isPrimary: true,
    clientX: x,
    clientY: y,
  });
  fireEvent.pointerDown(target, init(...(start ?? [0, 0])));
  for (const [x, y] of moves) fireEvent.pointerMove(target, init(x, y));
}

const reveal = (log: HTMLElement) => log.style.getPropertyValue('--reveal');

describe('useSwipeReveal', () => {
  it('follows a finger dragging left, up to the full width of the times', () => {
    render(<List />);
    const log = screen.getByRole('log');
    drag(log, 'touch', [
      [300, 100],
      [290, 101],
      [270, 102],
    ]);
    expect(Number(reveal(log))).toBeGreaterThan(0);
    expect(log.dataset.swiping).toBe('true');
    fireEvent.pointerMove(log, { pointerId: 7, pointerType: 'touch', clientX: 0, clientY: 102 });
    expect(Number(reveal(log))).toBe(REVEAL_PX);
  });

  it('slides the times out again when the finger lifts or the browser takes the touch', () => {
    render(<List />);
    const log = screen.getByRole('log');
    for (const end of ['pointerUp', 'pointerCancel'] as const) {
      drag(log, 'touch', [
        [300, 100],
        [200, 100],
      ]);
      expect(reveal(log)).not.toBe('');
      fireEvent[end](log, { pointerId: 7, pointerType: 'touch' });
      expect(reveal(log), end).toBe('');
      expect(log.dataset.swiping).toBe('false');
    }
  });

  it('leaves a vertical drag (a scroll), a right drag and a mouse drag alone', () => {
    render(<List />);
    const log = screen.getByRole('log');
    drag(log, 'touch', [
      [300, 100],
      [298, 130],
      [200, 130],
    ]);
    expect(reveal(log)).toBe('');
    drag(log, 'touch', [
      [100, 100],
      [200, 100],
    ]);
    expect(reveal(log)).toBe('');
    drag(log, 'mouse', [
      [300, 100],
      [200, 100],
    ]);
    expect(reveal(log)).toBe('');
  });
});
