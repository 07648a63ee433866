/** Date and time labels as iMessage shows them, in the viewer's locale and time zone. */

const DAY_MS = 24 * 60 * 60 * 1000;

function startOfDay(date: Date): number {
  return new Date(date.getFullYear(), date.getMonth(), date.getDate()).getTime();
}

/** Whole calendar days from `date` to `now` (0 = same day, 1 = yesterday); DST-safe. */
export function calendarDaysBetween(date: Date, now: Date): number {
  return Math.round((startOfDay(now) - startOfDay(date)) / DAY_MS);
}

export function isSameDay(a: Date, b: Date): boolean {
  return calendarDaysBetween(a, b) === 0;
}

/** "9:41 AM" */
export function formatClock(date: Date, locale?: string): string {
  return new Intl.DateTimeFormat(locale, { hour: 'numeric', minute: '2-digit' }).format(date);
}

function weekday(date: Date, locale?: string): string {
  return new Intl.DateTimeFormat(locale, { weekday: 'long' }).format(date);
}

/**
 * The time beside a conversation in the list: today the time, yesterday "Yesterday",
 * within the last week the weekday, else the short date ("1/2/25").
 */
export function formatListTime(iso: string, now: Date, locale?: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const days = calendarDaysBetween(date, now);
  if (days <= 0) return formatClock(date, locale);
  if (days === 1) return 'Yesterday';
  if (days < 7) return weekday(date, locale);
  return new Intl.DateTimeFormat(locale, { year: '2-digit', month: 'numeric', day: 'numeric' }).format(date);
}

/** The label of a day separator in a chat: "Today", "Yesterday", "Tuesday", "Mon, Jan 2", "Jan 2, 2023". */
export function formatDayLabel(date: Date, now: Date, locale?: string): string {
  const days = calendarDaysBetween(date, now);
  if (days <= 0) return 'Today';
  if (days === 1) return 'Yesterday';
  if (days < 7) return weekday(date, locale);
  if (date.getFullYear() === now.getFullYear()) {
    return new Intl.DateTimeFormat(locale, { weekday: 'short', month: 'short', day: 'numeric' }).format(date);
  }
  return new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'short', day: 'numeric' }).format(date);
}

/** Full date and time, for tooltips: "Monday, January 2, 2025 at 9:41 AM". */
export function formatFullTimestamp(date: Date, locale?: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeStyle: 'short' }).format(date);
}
