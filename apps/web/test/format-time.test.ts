import { describe, expect, it } from 'vitest';
import { calendarDaysBetween, formatClock, formatDayLabel, formatListTime } from '../src/lib/format-time';

// Local times, so the tests hold in any time zone.
const now = new Date(2025, 5, 18, 15, 30); // Wednesday 18 June 2025, 3:30 PM
const at = (month: number, day: number, hour = 9, minute = 41, year = 2025) =>
  new Date(year, month, day, hour, minute);

describe('calendarDaysBetween', () => {
  it('counts calendar days, not 24-hour periods', () => {
    expect(calendarDaysBetween(at(5, 18, 0, 1), now)).toBe(0);
    expect(calendarDaysBetween(at(5, 17, 23, 59), now)).toBe(1);
    expect(calendarDaysBetween(at(5, 11), now)).toBe(7);
  });
});

describe('formatListTime', () => {
  it('shows the time for today', () => {
    expect(formatListTime(at(5, 18).toISOString(), now, 'en-US')).toBe('9:41 AM');
  });

  it('shows Yesterday, then the weekday within the week', () => {
    expect(formatListTime(at(5, 17).toISOString(), now, 'en-US')).toBe('Yesterday');
    expect(formatListTime(at(5, 16).toISOString(), now, 'en-US')).toBe('Monday');
    expect(formatListTime(at(5, 12).toISOString(), now, 'en-US')).toBe('Thursday');
  });

  it('shows the date beyond a week', () => {
    expect(formatListTime(at(5, 11).toISOString(), now, 'en-US')).toBe('6/11/25');
    expect(formatListTime(at(0, 2, 9, 0, 2024).toISOString(), now, 'en-US')).toBe('1/2/24');
  });

  it('treats a time slightly in the future (clock skew) as today', () => {
    expect(formatListTime(at(5, 18, 15, 31).toISOString(), now, 'en-US')).toBe('3:31 PM');
  });

  it('is empty for an invalid time', () => {
    expect(formatListTime('nonsense', now, 'en-US')).toBe('');
  });
});

describe('formatDayLabel', () => {
  it('names recent days and dates older ones', () => {
    expect(formatDayLabel(at(5, 18), now, 'en-US')).toBe('Today');
    expect(formatDayLabel(at(5, 17), now, 'en-US')).toBe('Yesterday');
    expect(formatDayLabel(at(5, 14), now, 'en-US')).toBe('Saturday');
    expect(formatDayLabel(at(0, 2), now, 'en-US')).toBe('Thu, Jan 2');
    expect(formatDayLabel(at(11, 24, 9, 0, 2024), now, 'en-US')).toBe('Dec 24, 2024');
  });
});

describe('formatClock', () => {
  it('writes hours and minutes', () => {
    expect(formatClock(at(5, 18, 21, 5), 'en-US')).toBe('9:05 PM');
  });
});
