import { useLayoutEffect, useRef, useState } from 'react';
import { TAPBACKS } from '@chat/protocol';
import { TAPBACK_EMOJI, TAPBACK_LABEL } from '../../lib/tapbacks';
import { usePopupMenu } from '../ui/use-popup-menu';

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
  /** "Message info": who has read it (my messages). */
  onInfo?: (() => void) | null;
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
 * Opened from the options button, a right-click, a long-press or a key on the message. Focus moves
 * to its first item and the arrow keys walk it; Escape, Tab or a click outside closes it, and the
 * opener (ChatView) takes focus back.
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
  }, [anchor, mine]);

  const onKeyDown = usePopupMenu(ref, layout !== null, onClose);

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
        {props.onInfo ? (
          <button type="button" role="menuitem" onClick={act(props.onInfo)}>
            Message info
          </button>
        ) : null}
      </div>
    </div>
  );
}
