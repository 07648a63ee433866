import { formatClock, formatDayLabel, formatFullTimestamp } from '../../lib/format-time';

/** "Today 9:41 AM" at a new day, or just "9:41 AM" after a long pause. */
export function DaySeparator({ date, now, withDay }: { date: Date; now: Date; withDay: boolean }) {
  return (
    <div className="day-separator">
      <time dateTime={date.toISOString()} title={formatFullTimestamp(date)}>
        {withDay ? <strong>{formatDayLabel(date, now)}</strong> : null}
        {withDay ? ' ' : null}
        {formatClock(date)}
      </time>
    </div>
  );
}
