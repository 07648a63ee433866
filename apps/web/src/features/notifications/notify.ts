/**
 * What the page does itself while hidden (the service worker does the same for pushes when no
 * page is open): a desktop notification through the service worker's registration, a short
 * tone made with the Web Audio API, and the app badge.
 */

export interface NotificationContent {
  conversationId: string;
  messageId: string;
  title: string;
  body: string;
}

/** Shows a notification (one per conversation: the tag replaces the previous one). */
export async function showNotification(content: NotificationContent): Promise<void> {
  const options: NotificationOptions = {
    body: content.body,
    tag: content.conversationId,
    data: { conversation_id: content.conversationId, message_id: content.messageId },
  };
  const registration =
    'serviceWorker' in navigator ? await navigator.serviceWorker.getRegistration() : undefined;
  if (registration?.active) {
    await registration.showNotification(content.title, options);
    return;
  }
  // No worker (the dev server): a page notification, which opens the conversation when clicked.
  const notification = new Notification(content.title, options);
  notification.onclick = () => {
    window.focus();
    window.location.hash = `#/c/${content.conversationId}`;
    notification.close();
  };
}

let audio: AudioContext | null = null;

/** Makes the audio context while the person is clicking (browsers start it only then). */
export function prepareSound(): void {
  if (typeof AudioContext === 'undefined') return;
  audio ??= new AudioContext();
  void audio.resume().catch(() => undefined);
}

/** A short two-note chime, quiet. */
export function playTone(): void {
  if (typeof AudioContext === 'undefined') return;
  try {
    audio ??= new AudioContext();
    const context = audio;
    void context.resume().catch(() => undefined);
    const start = context.currentTime;
    [880, 1320].forEach((frequency, index) => {
      const at = start + index * 0.12;
      const oscillator = context.createOscillator();
      const gain = context.createGain();
      oscillator.type = 'sine';
      oscillator.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, at);
      gain.gain.exponentialRampToValueAtTime(0.15, at + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.18);
      oscillator.connect(gain).connect(context.destination);
      oscillator.start(at);
      oscillator.stop(at + 0.2);
    });
  } catch {
    // No audio output: the notification and the title still say it.
  }
}

/** The unread count on the installed app's icon, where the browser supports it. */
export function setAppBadge(count: number): void {
  const nav = navigator as Navigator & {
    setAppBadge?: (count?: number) => Promise<void>;
    clearAppBadge?: () => Promise<void>;
  };
  const done = count > 0 ? nav.setAppBadge?.(count) : nav.clearAppBadge?.();
  void done?.catch(() => undefined);
}
