import { describe, expect, it } from 'vitest';
import { SupportConfig } from './config.ts';
import { agentSilent, nextSlaCheck, slaState } from './sla.ts';

const sla = SupportConfig.parse({}).sla;
const MIN = 60_000;
const t0 = 1_700_000_000_000;

describe('slaState', () => {
  it.each([
    ['urgent, 3 min in, no answer', { priority: 'urgent', openedAt: t0 }, 3, 'ok'],
    ['urgent, 4.5 min in (past 80 %)', { priority: 'urgent', openedAt: t0 }, 4.5, 'warning'],
    ['urgent, 6 min in', { priority: 'urgent', openedAt: t0 }, 6, 'breached'],
    [
      'urgent, answered at 4 min',
      { priority: 'urgent', openedAt: t0, firstResponseAt: t0 + 4 * MIN },
      60,
      'met',
    ],
    [
      'urgent, answered at 7 min',
      { priority: 'urgent', openedAt: t0, firstResponseAt: t0 + 7 * MIN },
      60,
      'breached',
    ],
    ['low, 5 h in', { priority: 'low', openedAt: t0 }, 300, 'ok'],
  ] as const)('%s → first response %s', (_name, clock, minutes, expected) => {
    expect(slaState(clock, t0 + minutes * MIN, sla).firstResponse.phase).toBe(expected);
  });

  it('tracks resolution separately and tells when to look again', () => {
    const state = slaState({ priority: 'high', openedAt: t0, firstResponseAt: t0 + MIN }, t0 + 10 * MIN, sla);
    expect(state.resolution).toEqual({ dueAt: t0 + 720 * MIN, warnAt: t0 + 576 * MIN, phase: 'ok' });
    expect(nextSlaCheck(state, t0 + 10 * MIN)).toBe(t0 + 576 * MIN);
    const done = slaState(
      { priority: 'high', openedAt: t0, firstResponseAt: t0 + MIN, resolvedAt: t0 + 2 * MIN },
      t0,
      sla,
    );
    expect(nextSlaCheck(done, t0)).toBeNull();
  });
});

describe('agentSilent', () => {
  it.each([
    [undefined, 100, false],
    [0, 14, false],
    [0, 15, true],
    [0, 40, true],
  ])('user waiting since %s, now %i min → %s', (since, nowMin, expected) => {
    expect(agentSilent(since === undefined ? undefined : t0 + since * MIN, t0 + nowMin * MIN, 15)).toBe(
      expected,
    );
  });
});
