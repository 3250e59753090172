/**
 * The `support:` section of config/verity.yaml: teams and their hours, routing by
 * category, language and priority, tiers, knowledge-base thresholds, SLAs, flood limits,
 * hand-back time, queue estimates and what to collect per category. Everything has a
 * default, so `support: {}` is a working configuration.
 */
import { z } from 'zod';
import { Language, Priority } from '../core/model.ts';
import { CollectPlan, DEFAULT_COLLECT_PLAN } from './collect.ts';
import { EtaConfig } from './eta.ts';
import { FloodConfig } from './flood.ts';
import { Schedule } from './hours.ts';
import { Category } from './kb/load.ts';
import { DEFAULT_MATCHER_OPTIONS } from './kb/matcher.ts';

const Minutes = z.number().positive();
const TeamName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,31}$/, 'a team name is lower-case letters, digits and dashes');

export const Team = z.object({
  /** first = first line; second = specialists who receive escalations. */
  tier: z.enum(['first', 'second']).default('first'),
  hours: Schedule.prefault({ alwaysOpen: true }),
  languages: z.array(Language).optional(),
});
export type Team = z.infer<typeof Team>;

/** First matching rule wins; an empty condition matches anything. */
export const RouteRule = z.object({
  categories: z.array(Category).optional(),
  languages: z.array(Language).optional(),
  priorities: z.array(Priority).optional(),
  team: TeamName,
});
export type RouteRule = z.infer<typeof RouteRule>;

const Sla = z.object({ firstResponseMin: Minutes, resolutionMin: Minutes });

export const SupportConfig = z
  .object({
    dirs: z
      .object({
        kb: z.string().default('config/kb'),
        templates: z.string().default('config/templates'),
      })
      .prefault({}),
    kb: z
      .object({
        answerThreshold: z.number().min(0).max(1).default(DEFAULT_MATCHER_OPTIONS.answerThreshold),
        minMargin: z.number().min(0).max(1).default(DEFAULT_MATCHER_OPTIONS.minMargin),
        candidateThreshold: z.number().min(0).max(1).default(DEFAULT_MATCHER_OPTIONS.candidateThreshold),
        maxCandidates: z.number().int().min(1).max(10).default(DEFAULT_MATCHER_OPTIONS.maxCandidates),
      })
      .prefault({}),
    /** Without teams: one first-line team, always open. */
    teams: z.record(TeamName, Team).prefault(() => ({ 'first-line': {} })),
    defaultTeam: TeamName.default('first-line'),
    routing: z.array(RouteRule).default([]),
    /** Where a second-tier escalation goes when the routing names no second-tier team. */
    escalationTeam: TeamName.optional(),
    sla: z
      .object({
        urgent: Sla.default({ firstResponseMin: 5, resolutionMin: 240 }),
        high: Sla.default({ firstResponseMin: 30, resolutionMin: 720 }),
        normal: Sla.default({ firstResponseMin: 120, resolutionMin: 2880 }),
        low: Sla.default({ firstResponseMin: 480, resolutionMin: 4320 }),
        /** Warn the inbox when this share of an SLA has elapsed. */
        warnAt: z.number().gt(0).lt(1).default(0.8),
      })
      .prefault({}),
    flood: FloodConfig.prefault({}),
    /** An agent silent this long after a user message hands the conversation back to the bot. */
    handBackAfterMin: Minutes.default(15),
    eta: EtaConfig.prefault({}),
    collect: CollectPlan.default(() => structuredClone(DEFAULT_COLLECT_PLAN)),
    /** Ticket numbers look like `<prefix>-<digits>`. */
    ticketPrefix: z
      .string()
      .regex(/^[A-Z]{1,6}$/)
      .default('EX'),
    csat: z.object({ commentWindowMin: Minutes.default(30) }).prefault({}),
  })
  .superRefine((c, ctx) => {
    const known = new Set(Object.keys(c.teams));
    const check = (team: string | undefined, path: (string | number)[]) => {
      if (team !== undefined && !known.has(team)) {
        ctx.addIssue({
          code: 'custom',
          path,
          message: `unknown team "${team}" (teams: ${[...known].join(', ')})`,
        });
      }
    };
    check(c.defaultTeam, ['defaultTeam']);
    check(c.escalationTeam, ['escalationTeam']);
    for (const [i, r] of c.routing.entries()) check(r.team, ['routing', i, 'team']);
  });
export type SupportConfig = z.infer<typeof SupportConfig>;
export type SupportConfigInput = z.input<typeof SupportConfig>;

export interface RouteQuery {
  category: Category;
  language: string;
  priority: Priority;
  /** Second tier asked for (an agent escalated). */
  tier?: 'first' | 'second';
}

/**
 * The team a conversation goes to. First line: the first matching rule, else the default
 * team. Second tier (an agent escalated): the first matching rule that names a second-tier
 * team, else `escalationTeam`, else any second-tier team, else the default team.
 */
export function routeTeam(config: SupportConfig, q: RouteQuery): string {
  const second = q.tier === 'second';
  for (const rule of config.routing) {
    if (rule.categories && !rule.categories.includes(q.category)) continue;
    if (rule.languages && !rule.languages.includes(q.language)) continue;
    if (rule.priorities && !rule.priorities.includes(q.priority)) continue;
    if (!second || config.teams[rule.team]?.tier === 'second') return rule.team;
  }
  if (second) {
    if (config.escalationTeam) return config.escalationTeam;
    const specialist = Object.entries(config.teams).find(([, t]) => t.tier === 'second');
    if (specialist) return specialist[0];
  }
  return config.defaultTeam;
}

/** Parses the `support:` record of the main config; failures read like the rest of config errors. */
export function parseSupportConfig(
  raw: unknown,
): { ok: true; config: SupportConfig } | { ok: false; error: string } {
  const result = SupportConfig.safeParse(raw ?? {});
  return result.success
    ? { ok: true, config: result.data }
    : { ok: false, error: z.prettifyError(result.error) };
}
