import { useSyncExternalStore } from 'react';

/**
 * The person's notification choices on this device (localStorage, per user): `enabled` is
 * whether they want notifications here ('on' after "Turn on notifications", 'off' after turning
 * them off; unset follows the browser's permission), `sound` a short tone (off by default).
 */
export interface NotificationPrefs {
  enabled: 'on' | 'off' | null;
  sound: boolean;
}

const listeners = new Set<() => void>();
const snapshots = new Map<string, NotificationPrefs>();

function key(userId: string): string {
  return `chat-notifications:${userId}`;
}

function read(userId: string): NotificationPrefs {
  const cached = snapshots.get(userId);
  if (cached) return cached;
  let prefs: NotificationPrefs = { enabled: null, sound: false };
  try {
    const raw = JSON.parse(localStorage.getItem(key(userId)) ?? 'null') as Partial<NotificationPrefs> | null;
    if (raw)
      prefs = {
        enabled: raw.enabled === 'on' || raw.enabled === 'off' ? raw.enabled : null,
        sound: raw.sound === true,
      };
  } catch {
    // A broken entry is as good as none.
  }
  snapshots.set(userId, prefs);
  return prefs;
}

export function setNotificationPrefs(userId: string, change: Partial<NotificationPrefs>): void {
  const next = { ...read(userId), ...change };
  snapshots.set(userId, next);
  try {
    localStorage.setItem(key(userId), JSON.stringify(next));
  } catch {
    // Storage full or refused: the choice holds for this page only.
  }
  for (const listener of listeners) listener();
}

/** The browser's notification permission ('unsupported' without the Notification API). */
export function notificationPermission(): NotificationPermission | 'unsupported' {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

/** Call after the permission may have changed (a request answered). */
export function permissionChanged(): void {
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useNotificationPrefs(userId: string): NotificationPrefs {
  return useSyncExternalStore(
    subscribe,
    () => read(userId),
    () => read(userId),
  );
}

export function usePermission(): NotificationPermission | 'unsupported' {
  return useSyncExternalStore(subscribe, notificationPermission, notificationPermission);
}

/** Whether a message may raise a desktop notification now: permitted, and not turned off here. */
export function notificationsOn(prefs: NotificationPrefs, permission: string): boolean {
  return permission === 'granted' && prefs.enabled !== 'off';
}
