import { useEffect, useState } from 'react';
import type { ChatApi } from '@chat/client';
import {
  notificationsOn,
  permissionChanged,
  setNotificationPrefs,
  useNotificationPrefs,
  usePermission,
} from './notification-prefs';
import { prepareSound } from './notify';
import { subscribePush, unsubscribePush } from './push-subscription';
import './notifications.css';

type PushState = 'unknown' | 'subscribed' | 'unavailable';

/**
 * The sidebar's "Turn on notifications": asks for the browser's permission only when clicked
 * (never on load), then subscribes to Web Push so the server can reach this browser while no page
 * of the app is in view. When push is unavailable (no push service reachable) the page's own
 * notifications still work while it is open, said quietly. "Notifications are on" with a switch
 * to turn them off (unsubscribed here and on the server), and a "Sound" switch.
 */
export function NotificationsControl({ api, userId }: { api: ChatApi; userId: string }) {
  const prefs = useNotificationPrefs(userId);
  const permission = usePermission();
  const on = notificationsOn(prefs, permission);
  const [push, setPush] = useState<PushState>('unknown');
  const [busy, setBusy] = useState(false);

  // Turned on here before: keep the server's copy of the subscription current.
  const wanted = prefs.enabled === 'on' && permission === 'granted';
  useEffect(() => {
    if (!wanted) return;
    let live = true;
    // Push unavailable (no worker, no push service reachable): the page's own notifications
    // still work while it is open, and the control says so quietly.
    subscribePush(api).then(
      () => live && setPush('subscribed'),
      () => live && setPush('unavailable'),
    );
    return () => {
      live = false;
    };
  }, [wanted, api]);

  const turnOn = async () => {
    setBusy(true);
    try {
      const answer = await Notification.requestPermission();
      permissionChanged();
      if (answer === 'granted') setNotificationPrefs(userId, { enabled: 'on' });
    } finally {
      setBusy(false);
    }
  };

  const turnOff = async () => {
    setBusy(true);
    setNotificationPrefs(userId, { enabled: 'off' });
    try {
      await unsubscribePush(api);
      setPush('unknown');
    } finally {
      setBusy(false);
    }
  };

  if (permission === 'unsupported') return null;
  return (
    <section className="notify-bar" aria-label="Notifications">
      <div className="notify-bar__row">
        {on ? (
          <>
            <span className="notify-bar__text">
              Notifications are on
              {push === 'unavailable' ? (
                <span className="notify-bar__note">While this tab is open (push is unavailable here)</span>
              ) : null}
            </span>
            <button
              type="button"
              role="switch"
              aria-checked="true"
              aria-label="Notifications"
              className="switch"
              disabled={busy}
              onClick={() => void turnOff()}
            >
              <span className="switch__knob" aria-hidden="true" />
            </button>
          </>
        ) : permission === 'denied' ? (
          <span className="notify-bar__text notify-bar__note">
            Notifications are blocked in this browser&apos;s site settings.
          </span>
        ) : (
          <button type="button" className="text-button" disabled={busy} onClick={() => void turnOn()}>
            Turn on notifications
          </button>
        )}
      </div>
      <div className="notify-bar__row">
        <span className="notify-bar__text" id={`sound-${userId}`}>
          Sound
        </span>
        <button
          type="button"
          role="switch"
          aria-checked={prefs.sound}
          aria-labelledby={`sound-${userId}`}
          className="switch"
          onClick={() => {
            if (!prefs.sound) prepareSound();
            setNotificationPrefs(userId, { sound: !prefs.sound });
          }}
        >
          <span className="switch__knob" aria-hidden="true" />
        </button>
      </div>
    </section>
  );
}
