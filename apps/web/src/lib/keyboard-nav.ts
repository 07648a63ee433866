/**
 * Where arrow keys move focus, as pure functions of (key, index, count) so the rules are tested
 * without a browser. Both return null for a key they do not handle (the browser keeps it).
 */

/**
 * Between messages (one tab stop, arrows inside): Up and Down stop at the ends rather than wrap,
 * as a reader scrolling a conversation expects; Home and End go to the oldest and the newest.
 * An index of -1 (nothing focused yet) goes to the newest on Up and End, the oldest on Down and Home.
 */
export function messageStep(key: string, index: number, count: number): number | null {
  if (count === 0) return null;
  const last = count - 1;
  switch (key) {
    case 'ArrowUp':
      return index < 0 ? last : Math.max(0, index - 1);
    case 'ArrowDown':
      return index < 0 ? 0 : Math.min(last, index + 1);
    case 'Home':
      return 0;
    case 'End':
      return last;
    default:
      return null;
  }
}

/**
 * Inside the message menu (tapbacks in a row, actions in a column, one list): every arrow steps
 * and wraps around, so neither layout's "natural" arrow is a dead key.
 */
export function menuStep(key: string, index: number, count: number): number | null {
  if (count === 0) return null;
  const step =
    key === 'ArrowRight' || key === 'ArrowDown' ? 1 : key === 'ArrowLeft' || key === 'ArrowUp' ? -1 : 0;
  if (key === 'Home') return 0;
  if (key === 'End') return count - 1;
  if (step === 0) return null;
  if (index < 0) return step > 0 ? 0 : count - 1;
  return (index + step + count) % count;
}

/** Keys that open a message's menu from the message itself (a button's keys, and the menu key). */
export function opensMenu(event: { key: string; shiftKey: boolean }): boolean {
  return (
    event.key === 'Enter' ||
    event.key === ' ' ||
    event.key === 'ContextMenu' ||
    (event.key === 'F10' && event.shiftKey)
  );
}
