/**
 * Response-time obligations, as pure functions of timestamps the store keeps: the SLA of
 * a conversation's priority (first response, resolution) with an early warning, and the
 * hand-back rule that keeps a user from waiting on a silent agent.
 */
import type { Priority } from '../core/model.ts';
import type { SupportConfig } from './config.ts';

const MIN = 60_000;

export interface SlaClock {
  priority: Priority;
  /** When the user first wrote in this episode (opened or re-opened). */
  openedAt: number;
  /** First reply by a human agent, if any. */
  firstResponseAt?: number;
  resolvedAt?: number;
}

export type SlaPhase = 'ok' | 'warning' | 'breached' | 'met';

export interface SlaState {
  firstResponse: { dueAt: number; warnAt: number; phase: SlaPhase };
  resolution: { dueAt: number; warnAt: number; phase: SlaPhase };
}

function phase(doneAt: number | undefined, dueAt: number, warnAt: number, now: number): SlaPhase {
  if (doneAt !== undefined) return doneAt <= dueAt ? 'met' : 'breached';
  if (now >= dueAt) return 'breached';
  return now >= warnAt ? 'warning' : 'ok';
}

export function slaState(clock: SlaClock, now: number, sla: SupportConfig['sla']): SlaState {
  const target = sla[clock.priority];
  const first = clock.openedAt + target.firstResponseMin * MIN;
  const firstWarn = clock.openedAt + target.firstResponseMin * MIN * sla.warnAt;
  const resolve = clock.openedAt + target.resolutionMin * MIN;
  const resolveWarn = clock.openedAt + target.resolutionMin * MIN * sla.warnAt;
  return {
    firstResponse: {
      dueAt: first,
      warnAt: firstWarn,
      phase: phase(clock.firstResponseAt, first, firstWarn, now),
    },
    resolution: {
      dueAt: resolve,
      warnAt: resolveWarn,
      phase: phase(clock.resolvedAt, resolve, resolveWarn, now),
    },
  };
}

/** The next instant at which this conversation's SLA state changes (for a timer), or null. */
export function nextSlaCheck(state: SlaState, now: number): number | null {
  const times = [state.firstResponse, state.resolution]
    .filter((s) => s.phase === 'ok' || s.phase === 'warning')
    .flatMap((s) => [s.warnAt, s.dueAt])
    .filter((t) => t > now);
  return times.length === 0 ? null : Math.min(...times);
}

/**
 * An agent owns the conversation but has not answered the user's oldest unanswered
 * message for `handBackAfterMin`: the bot takes it back (and says so).
 */
export function agentSilent(
  oldestUnansweredUserMessageAt: number | undefined,
  now: number,
  handBackAfterMin: number,
): boolean {
  return (
    oldestUnansweredUserMessageAt !== undefined &&
    now - oldestUnansweredUserMessageAt >= handBackAfterMin * MIN
  );
}
