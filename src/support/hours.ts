/**
 * Business hours per team: a weekly schedule in the team's IANA time zone, holidays
 * (local dates), or 24/7. Time-zone arithmetic uses Intl only; a local opening time is
 * turned into an instant by asking Intl for the zone's offset at that moment, twice, so
 * a daylight-saving change between the guess and the answer is accounted for.
 */
import { z } from 'zod';

const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
type Weekday = (typeof WEEKDAYS)[number];

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$|^24:00$/;
const Interval = z
  .string()
  .regex(/^\d{2}:\d{2}-\d{2}:\d{2}$/, 'an interval such as "09:00-18:00"')
  .refine((s) => {
    const [from, to] = s.split('-') as [string, string];
    return HHMM.test(from) && HHMM.test(to) && minutesOf(from) < minutesOf(to);
  }, 'times are HH:MM (24:00 allowed as an end) and the end comes after the start');

export const TimeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'an IANA time zone such as "Asia/Singapore"');

export const Schedule = z.object({
  timezone: TimeZone.default('UTC'),
  /** Always open (a 24/7 team); the weekly schedule and holidays are then ignored. */
  alwaysOpen: z.boolean().default(false),
  weekly: z.partialRecord(z.enum(WEEKDAYS), z.array(Interval)).default({}),
  /** Local dates (YYYY-MM-DD) on which the team is closed all day. */
  holidays: z.array(z.iso.date()).default([]),
});
export type Schedule = z.infer<typeof Schedule>;
export type ScheduleInput = z.input<typeof Schedule>;

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

interface LocalTime {
  date: string;
  weekday: Weekday;
  minutes: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      weekday: 'short',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

function parts(at: number, timeZone: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(at)) out[p.type] = p.value;
  return out;
}

export function localTime(at: number, timeZone: string): LocalTime {
  const p = parts(at, timeZone);
  const weekday = (p.weekday ?? 'Sun').toLowerCase().slice(0, 3);
  return {
    date: `${p.year}-${p.month}-${p.day}`,
    weekday: WEEKDAYS.find((d) => d === weekday) ?? 'sun',
    minutes: Number(p.hour) * 60 + Number(p.minute),
  };
}

/** Offset of the zone from UTC at an instant, in milliseconds. */
function offsetAt(at: number, timeZone: string): number {
  const p = parts(at, timeZone);
  const asUtc = Date.UTC(
    Number(p.year),
    Number(p.month) - 1,
    Number(p.day),
    Number(p.hour),
    Number(p.minute),
    Number(p.second),
  );
  return asUtc - Math.floor(at / 1000) * 1000;
}

/** The instant a local wall-clock time (date + minutes after midnight) happens in the zone. */
export function instantOf(date: string, minutes: number, timeZone: string): number {
  const [y, m, d] = date.split('-').map(Number);
  const wall = Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1) + minutes * 60_000;
  const first = wall - offsetAt(wall, timeZone);
  return wall - offsetAt(first, timeZone);
}

function intervalsOn(schedule: Schedule, date: string, weekday: Weekday): Array<[number, number]> {
  if (schedule.holidays.includes(date)) return [];
  return (schedule.weekly[weekday] ?? []).map((s) => {
    const [from, to] = s.split('-') as [string, string];
    return [minutesOf(from), minutesOf(to)];
  });
}

export function isOpen(schedule: Schedule, at: number): boolean {
  if (schedule.alwaysOpen) return true;
  const local = localTime(at, schedule.timezone);
  return intervalsOn(schedule, local.date, local.weekday).some(
    ([from, to]) => local.minutes >= from && local.minutes < to,
  );
}

/**
 * When the team is next open: `at` itself when open now, the next opening instant
 * otherwise, or null when the schedule never opens (no intervals within a year).
 */
export function nextOpening(schedule: Schedule, at: number): number | null {
  if (isOpen(schedule, at)) return at;
  const local = localTime(at, schedule.timezone);
  const [y, m, d] = local.date.split('-').map(Number);
  const day0 = Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1);
  for (let i = 0; i <= 366; i++) {
    const day = new Date(day0 + i * 86_400_000);
    const date = day.toISOString().slice(0, 10);
    const weekday = WEEKDAYS[day.getUTCDay()]!;
    const starts = intervalsOn(schedule, date, weekday)
      .map(([from]) => from)
      .sort((a, b) => a - b);
    for (const from of starts) {
      const instant = instantOf(date, from, schedule.timezone);
      if (instant > at) return instant;
    }
  }
  return null;
}

/** A next-opening time for a message, in the user's language and the team's zone. */
export function formatOpening(at: number, timeZone: string, language: string): string {
  return new Intl.DateTimeFormat(language, {
    timeZone,
    weekday: 'long',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
  }).format(at);
}
