import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { KeyboardEvent as ReactKeyboardEvent } from 'react';
import { TAPBACKS } from '@chat/protocol';
import { TAPBACK_EMOJI, TAPBACK_LABEL } from '../../lib/tapbacks';

export interface MessageMenuProps {
  /** The bubble the menu belongs to (viewport coordinates at opening). */
  anchor: DOMRect;
  mine: boolean;
  /** The reaction this user holds on the message. */
  current: string | null;
  canReact: boolean;
  canEdit: boolean;
  canUnsend: boolean;
  onReact: (reaction: string | null) => void;
  onReply: (() => void) | null;
  onEdit: () => void;
  onUnsend: () => void;
  onCopy: () => void;
  onClose: () => void;
}

const MARGIN = 8;
const GAP = 6;

interface Layout {
  picker: { top: number; left: number };
  actions: { top: number; left: number };
}

function clamp(value: number, min: number, max: number): number {
  return Math.max(min, Math.min(value, max));
}

/**
 * The tapback picker over the bubble and the actions under it (Reply, Edit, Unsend, Copy).
 * Opened from the options button, a right-click or a long-press; Escape or a click outside closes it.
 */
export function MessageMenu(props: MessageMenuProps) {
  const { anchor, mine, current, onClose } = props;
  const ref = useRef<HTMLDivElement>(null);
  const picker = useRef<HTMLDivElement>(null);
  const actions = useRef<HTMLDivElement>(null);
  const [layout, setLayout] = useState<Layout | null>(null);

  // The picker sits above the bubble and the actions below it, both kept inside the viewport.
  useLayoutEffect(() => {
    // Layout sizes (offset*), not getBoundingClientRect: the opening animation scales the boxes.
    const size = (element: HTMLElement | null) => ({
      width: element?.offsetWidth ?? 0,
      height: element?.offsetHeight ?? 0,
    });
    const pickerBox = size(picker.current);
    const actionsBox = size(actions.current);
    const viewportWidth = window.innerWidth;
    const viewportHeight = window.innerHeight;
    const x = (width: number) =>
      clamp(mine ? anchor.right - width : anchor.left, MARGIN, viewportWidth - width - MARGIN);
    const pickerTop = clamp(
      anchor.top - pickerBox.height - GAP,
      MARGIN,
      viewportHeight - pickerBox.height - actionsBox.height - GAP - MARGIN,
    );
    const actionsTop = clamp(
      anchor.bottom + GAP,
      pickerTop + pickerBox.height + GAP,
      viewportHeight - actionsBox.height - MARGIN,
    );
    setLayout({
      picker: { top: pickerTop, left: x(pickerBox.width) },
      actions: { top: actionsTop, left: x(actionsBox.width) },
    });
    ref.current?.querySelector<HTMLButtonElement>('button')?.focus();
  }, [anchor, mine]);

  useEffect(() => {
    const onPointerDown = (event: PointerEvent) => {
      if (ref.current && !ref.current.contains(event.target as Node)) onClose();
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') onClose();
    };
    document.addEventListener('pointerdown', onPointerDown, true);
    document.addEventListener('keydown', onKey);
    window.addEventListener('resize', onClose);
    return () => {
      document.removeEventListener('pointerdown', onPointerDown, true);
      document.removeEventListener('keydown', onKey);
      window.removeEventListener('resize', onClose);
    };
  }, [onClose]);

  const onKeyDown = (event: ReactKeyboardEvent<HTMLDivElement>) => {
    const keys: Record<string, number> = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };
    const step = keys[event.key];
    if (step === undefined && event.key !== 'Home' && event.key !== 'End') return;
    event.preventDefault();
    const items = Array.from(ref.current?.querySelectorAll<HTMLButtonElement>('[role^="menuitem"]') ?? []);
    if (items.length === 0) return;
    const index = items.indexOf(document.activeElement as HTMLButtonElement);
    const next =
      event.key === 'Home'
        ? 0
        : event.key === 'End'
          ? items.length - 1
          : (index + (step ?? 0) + items.length) % items.length;
    items[next]?.focus();
  };

  const act = (action: () => void) => () => {
    action();
    onClose();
  };

  return (
    <div
      ref={ref}
      className={`message-menu ${mine ? 'message-menu--mine' : ''}`}
      role="menu"
      aria-label="Message actions"
      style={layout ? undefined : { visibility: 'hidden' }}
      onKeyDown={onKeyDown}
    >
      {props.canReact ? (
        <div ref={picker} className="tapback-picker" role="group" aria-label="Tapback" style={layout?.picker}>
          {TAPBACKS.map((tapback) => (
            <button
              key={tapback}
              type="button"
              role="menuitemcheckbox"
              aria-checked={current === tapback}
              aria-label={TAPBACK_LABEL[tapback]}
              title={TAPBACK_LABEL[tapback]}
              className={`tapback-picker__option${current === tapback ? ' tapback-picker__option--chosen' : ''}`}
              onClick={act(() => props.onReact(current === tapback ? null : tapback))}
            >
              {TAPBACK_EMOJI[tapback]}
            </button>
          ))}
        </div>
      ) : null}
      <div ref={actions} className="message-menu__actions" style={layout?.actions}>
        {props.onReply ? (
          <button type="button" role="menuitem" onClick={act(props.onReply)}>
            Reply
          </button>
        ) : null}
        {props.canEdit ? (
          <button type="button" role="menuitem" onClick={act(props.onEdit)}>
            Edit
          </button>
        ) : null}
        {props.canUnsend ? (
          <button type="button" role="menuitem" onClick={act(props.onUnsend)}>
            Unsend
          </button>
        ) : null}
        <button type="button" role="menuitem" onClick={act(props.onCopy)}>
          Copy
        </button>
      </div>
    </div>
  );
}
