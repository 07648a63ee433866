import { useEffect } from 'react';

/** "(3) Messages" while there are unread messages, like a mail tab. */
export function useDocumentTitle(unread: number): void {
  useEffect(() => {
    document.title = unread > 0 ? `(${unread}) Messages` : 'Messages';
  }, [unread]);
}
