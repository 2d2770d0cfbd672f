/**
 * When an item is due: before the organization's next reporting cadence (e.g. the weekly steering
 * meeting, Mondays 09:00 in its time zone), so its answer is ready for the meeting. An item raised
 * less than a day before the next meeting is due before the one after; without a cadence, in three
 * days.
 */
export interface ReportingCadence {
  weekday: 'monday' | 'tuesday' | 'wednesday' | 'thursday' | 'friday' | 'saturday' | 'sunday';
  /** HH:MM, 24 h, in the organization's time zone. */
  time: string;
  name?: string;
}

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Due this long before the meeting starts. */
export const DUE_BEFORE_MEETING_MS = 2 * HOUR_MS;
const MIN_LEAD_MS = DAY_MS;
const NO_CADENCE_MS = 3 * DAY_MS;

export function dueDate(raisedAtMs: number, cadence: ReportingCadence | null, timeZone: string): { dueMs: number; meetingMs: number | null } {
  if (cadence === null) return { dueMs: raisedAtMs + NO_CADENCE_MS, meetingMs: null };
  let meeting = nextMeeting(raisedAtMs, cadence, timeZone);
  if (meeting - DUE_BEFORE_MEETING_MS - raisedAtMs < MIN_LEAD_MS) meeting = nextMeeting(meeting + 1, cadence, timeZone);
  return { dueMs: meeting - DUE_BEFORE_MEETING_MS, meetingMs: meeting };
}

/** The first meeting strictly after `afterMs`. */
export function nextMeeting(afterMs: number, cadence: ReportingCadence, timeZone: string): number {
  const [hh, mm] = cadence.time.split(':').map(Number) as [number, number];
  const target = WEEKDAYS.indexOf(cadence.weekday);
  for (let d = 0; d <= 8; d++) {
    const local = localDate(afterMs + d * DAY_MS, timeZone);
    if (local.weekday !== target) continue;
    const at = zonedInstant(local.year, local.month, local.day, hh, mm, timeZone);
    if (at > afterMs) return at;
  }
  throw new Error(`no ${cadence.weekday} ${cadence.time} found after ${new Date(afterMs).toISOString()} in ${timeZone}`);
}

function localDate(ms: number, timeZone: string): { year: number; month: number; day: number; weekday: number } {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric', weekday: 'long' }).formatToParts(ms);
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  return { year: Number(get('year')), month: Number(get('month')), day: Number(get('day')), weekday: WEEKDAYS.indexOf(get('weekday').toLowerCase() as (typeof WEEKDAYS)[number]) };
}

/** The UTC instant of a local wall-clock time (the offset in force at that time; a DST gap moves it forward). */
export function zonedInstant(year: number, month: number, day: number, hour: number, minute: number, timeZone: string): number {
  const guess = Date.UTC(year, month - 1, day, hour, minute);
  const offset = (ms: number): number => {
    const name = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' }).formatToParts(ms).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
    const m = /GMT([+-])(\d{2}):?(\d{2})?/.exec(name);
    return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0)) * 60_000 : 0;
  };
  const first = guess - offset(guess);
  return guess - offset(first);
}
