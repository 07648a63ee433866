import { useLayoutEffect, useRef, useState } from 'react';
import type { Conversation, SettingsRequest } from '@chat/protocol';
import { MUTE_CHOICES, isMuted, muteUntil } from '../../lib/mute';
import { usePopupMenu } from '../ui/use-popup-menu';

export interface ConversationMenuProps {
  conversation: Conversation;
  /** Where it opened: the pointer, or the options button's box. */
  at: { x: number; y: number };
  now: Date;
  onChange: (settings: SettingsRequest) => void;
  onClose: () => void;
}

const MARGIN = 8;

/**
 * Pin, Mute (1 hour, 8 hours, a week, always) or Unmute, Archive or Unarchive: this user's own
 * settings, which their other devices follow. Focus goes to the first item; arrows walk it;
 * Escape, Tab, a click outside or a choice closes it (the opener takes focus back).
 */
export function ConversationMenu({ conversation, at, now, onChange, onClose }: ConversationMenuProps) {
  const ref = useRef<HTMLDivElement>(null);
  const [place, setPlace] = useState<{ top: number; left: number } | null>(null);
  const { settings } = conversation;
  const muted = isMuted(conversation, now);

  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    const width = element.offsetWidth;
    const height = element.offsetHeight;
    setPlace({
      left: Math.max(MARGIN, Math.min(at.x, window.innerWidth - width - MARGIN)),
      top: Math.max(MARGIN, Math.min(at.y, window.innerHeight - height - MARGIN)),
    });
  }, [at]);

  const onKeyDown = usePopupMenu(ref, place !== null, onClose, '[role="menuitem"]');

  const choose = (settingsChange: SettingsRequest) => () => {
    onChange(settingsChange);
    onClose();
  };

  return (
    <div
      ref={ref}
      className="conversation-menu"
      role="menu"
      aria-label="Conversation actions"
      style={place ?? { visibility: 'hidden', top: 0, left: 0 }}
      onKeyDown={onKeyDown}
    >
      <button type="button" role="menuitem" onClick={choose({ pinned: !settings.pinned })}>
        {settings.pinned ? 'Unpin' : 'Pin'}
      </button>
      {muted ? (
        <button type="button" role="menuitem" onClick={choose({ muted_until: null })}>
          Unmute
        </button>
      ) : (
        MUTE_CHOICES.map((choice) => (
          <button
            key={choice.label}
            type="button"
            role="menuitem"
            onClick={choose({ muted_until: muteUntil(choice.ms, now.getTime()) })}
          >
            {choice.label}
          </button>
        ))
      )}
      <button type="button" role="menuitem" onClick={choose({ archived: !settings.archived })}>
        {settings.archived ? 'Unarchive' : 'Archive'}
      </button>
    </div>
  );
}
