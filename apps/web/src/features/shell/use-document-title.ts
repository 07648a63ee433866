import { useEffect } from 'react';
import { setAppBadge } from '../notifications/notify';

/** "(3) Messages" while there are unread messages, like a mail tab; the app badge too, where supported. */
export function useDocumentTitle(unread: number): void {
  useEffect(() => {
    document.title = unread > 0 ? `(${unread}) Messages` : 'Messages';
    setAppBadge(unread);
  }, [unread]);
}
