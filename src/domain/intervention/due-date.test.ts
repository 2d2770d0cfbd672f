import { describe, expect, it } from 'vitest';
import { dueDate, nextMeeting, zonedInstant } from './due-date.ts';

const monday9 = { weekday: 'monday', time: '09:00', name: 'Weekly steering' } as const;

describe('due dates before the reporting cadence', () => {
  it('finds the next Monday 09:00 in the organization time zone, across a DST change', () => {
    // Wed 2026-03-25 12:00 UTC; Europe/Berlin moves to CEST on Sun 2026-03-29: Monday 09:00 is 07:00 UTC.
    expect(new Date(nextMeeting(Date.parse('2026-03-25T12:00:00Z'), monday9, 'Europe/Berlin')).toISOString()).toBe('2026-03-30T07:00:00.000Z');
    expect(new Date(nextMeeting(Date.parse('2026-03-18T12:00:00Z'), monday9, 'Europe/Berlin')).toISOString()).toBe('2026-03-23T08:00:00.000Z');
    expect(new Date(zonedInstant(2026, 1, 5, 9, 0, 'America/New_York')).toISOString()).toBe('2026-01-05T14:00:00.000Z');
  });

  it('is due two hours before the next meeting, or the one after when that is less than a day away', () => {
    const wednesday = Date.parse('2026-03-18T12:00:00Z');
    expect(new Date(dueDate(wednesday, monday9, 'Europe/Berlin').dueMs).toISOString()).toBe('2026-03-23T06:00:00.000Z');
    const sundayNight = Date.parse('2026-03-22T20:00:00Z');
    expect(new Date(dueDate(sundayNight, monday9, 'Europe/Berlin').dueMs).toISOString()).toBe('2026-03-30T05:00:00.000Z');
  });

  it('without a cadence is due in three days', () => {
    expect(dueDate(0, null, 'UTC')).toEqual({ dueMs: 3 * 86_400_000, meetingMs: null });
  });
});
