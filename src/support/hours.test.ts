import { describe, expect, it } from 'vitest';
import { formatOpening, instantOf, isOpen, nextOpening, Schedule } from './hours.ts';

const at = (iso: string) => Date.parse(iso);
const weekdays = ['09:00-21:00'];
const singapore = Schedule.parse({
  timezone: 'Asia/Singapore',
  weekly: { mon: weekdays, tue: weekdays, wed: weekdays, thu: weekdays, fri: weekdays, sat: ['10:00-16:00'] },
  holidays: ['2026-12-25'],
});
const newYork = Schedule.parse({
  timezone: 'America/New_York',
  weekly: { mon: ['09:00-12:00', '13:00-17:00'], sun: ['00:00-24:00'] },
});

describe('isOpen', () => {
  it.each([
    ['Mon 10:00 SGT', singapore, '2026-11-23T02:00:00Z', true],
    ['Mon 08:59 SGT', singapore, '2026-11-23T00:59:00Z', false],
    ['Mon 21:00 SGT (end is exclusive)', singapore, '2026-11-23T13:00:00Z', false],
    ['Sat 15:59 SGT', singapore, '2026-11-21T07:59:00Z', true],
    ['Sun noon SGT', singapore, '2026-11-22T04:00:00Z', false],
    ['Christmas (a Friday) is a holiday', singapore, '2026-12-25T03:00:00Z', false],
    ['NY lunch break', newYork, '2026-11-23T17:30:00Z', false],
    ['NY Monday 09:30 EST', newYork, '2026-11-23T14:30:00Z', true],
    ['NY Sunday 23:59 local', newYork, '2026-11-23T04:59:00Z', true],
  ])('%s', (_name, schedule, iso, expected) => expect(isOpen(schedule, at(iso))).toBe(expected));

  it('is always open for a 24/7 team, holidays included', () => {
    const always = Schedule.parse({ alwaysOpen: true, holidays: ['2026-12-25'] });
    expect(isOpen(always, at('2026-12-25T03:00:00Z'))).toBe(true);
  });
});

describe('nextOpening', () => {
  it.each([
    ['open now → now', singapore, '2026-11-23T02:00:00Z', '2026-11-23T02:00:00Z'],
    ['Monday evening → Tuesday 09:00 SGT', singapore, '2026-11-23T14:00:00Z', '2026-11-24T01:00:00Z'],
    ['Saturday evening → Monday 09:00 SGT', singapore, '2026-11-21T09:00:00Z', '2026-11-23T01:00:00Z'],
    [
      'Christmas Eve night → skips the holiday to Saturday 10:00',
      singapore,
      '2026-12-24T14:00:00Z',
      '2026-12-26T02:00:00Z',
    ],
    ['NY lunch → 13:00 EST', newYork, '2026-11-23T17:30:00Z', '2026-11-23T18:00:00Z'],
    // 8 March 2026 is a Sunday on which New York moves from EST to EDT.
    [
      'across the DST change → Monday 09:00 EDT',
      Schedule.parse({ timezone: 'America/New_York', weekly: { mon: ['09:00-17:00'] } }),
      '2026-03-06T23:00:00Z',
      '2026-03-09T13:00:00Z',
    ],
  ])('%s', (_name, schedule, iso, expected) => expect(nextOpening(schedule, at(iso))).toBe(at(expected)));

  it('is null when the schedule never opens', () => {
    expect(nextOpening(Schedule.parse({ timezone: 'UTC' }), at('2026-11-23T00:00:00Z'))).toBeNull();
  });
});

describe('instantOf', () => {
  it.each([
    ['2026-07-01', 9 * 60, 'Europe/Berlin', '2026-07-01T07:00:00Z'],
    ['2026-01-15', 9 * 60, 'Europe/Berlin', '2026-01-15T08:00:00Z'],
    ['2026-11-23', 0, 'Asia/Kolkata', '2026-11-22T18:30:00Z'],
  ])('%s %i min in %s', (date, minutes, tz, expected) =>
    expect(instantOf(date, minutes, tz)).toBe(at(expected)),
  );
});

describe('Schedule', () => {
  it.each([
    [{ timezone: 'Mars/Olympus' }, /IANA time zone/],
    [{ weekly: { mon: ['18:00-09:00'] } }, /end comes after the start/],
    [{ weekly: { mon: ['9-17'] } }, /09:00-18:00/],
    [{ weekly: { funday: ['09:00-17:00'] } }, /funday|key/i],
    [{ holidays: ['25/12/2026'] }, /date/i],
  ])('rejects %j', (input, message) => {
    const r = Schedule.safeParse(input);
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toMatch(message);
  });
});

describe('formatOpening', () => {
  it('formats in the user language and the team zone', () => {
    const when = at('2026-11-24T01:00:00Z');
    expect(formatOpening(when, 'Asia/Singapore', 'en')).toMatch(/Tuesday.*09:00/);
    expect(formatOpening(when, 'Asia/Singapore', 'zh')).toMatch(/星期二/);
  });
});
