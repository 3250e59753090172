import { describe, expect, it } from 'vitest';
import { parseSupportConfig, routeTeam, SupportConfig } from './config.ts';
import { readYaml } from './files.ts';

describe('SupportConfig', () => {
  it('works from an empty section', () => {
    const c = SupportConfig.parse({});
    expect(c.defaultTeam).toBe('first-line');
    expect(c.teams['first-line']?.hours.alwaysOpen).toBe(true);
    expect(c.kb.answerThreshold).toBe(0.4);
    expect(c.sla.urgent.firstResponseMin).toBe(5);
    expect(c.collect['deposit-withdrawal']).toEqual(['accountId', 'txHash', 'amountTime', 'screenshot']);
    expect(c.handBackAfterMin).toBe(15);
  });

  it('accepts the documented example', () => {
    const raw = readYaml('config/support.example.yaml');
    const section = typeof raw === 'object' && raw !== null && 'support' in raw ? raw.support : undefined;
    const parsed = parseSupportConfig(section);
    if (!parsed.ok) throw new Error(parsed.error);
    expect(Object.keys(parsed.config.teams)).toEqual(['first-line', 'china-desk', 'security']);
    expect(parsed.config.teams['china-desk']?.hours.timezone).toBe('Asia/Shanghai');
  });

  it.each([
    [{ defaultTeam: 'nobody' }, 'unknown team "nobody"'],
    [{ routing: [{ team: 'ghosts' }] }, 'routing[0].team'],
    [{ collect: { fees: ['password'] } }, 'collect.fees[0]'],
    [{ kb: { answerThreshold: 2 } }, 'kb.answerThreshold'],
    [{ teams: { 'First Line': {} } }, 'teams'],
  ])('reports %j precisely', (raw, message) => {
    const parsed = parseSupportConfig(raw);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toContain(message);
  });
});

describe('routeTeam', () => {
  const config = SupportConfig.parse({
    teams: {
      'first-line': {},
      'china-desk': {},
      security: { tier: 'second' },
    },
    routing: [
      { priorities: ['urgent'], team: 'security' },
      { languages: ['zh'], team: 'china-desk' },
    ],
  });
  it.each([
    [{ category: 'fees', language: 'en', priority: 'low' }, 'first-line'],
    [{ category: 'fees', language: 'zh', priority: 'low' }, 'china-desk'],
    [{ category: 'security', language: 'zh', priority: 'urgent' }, 'security'],
    [{ category: 'security', language: 'en', priority: 'urgent', tier: 'second' }, 'security'],
    [{ category: 'kyc', language: 'zh', priority: 'normal', tier: 'second' }, 'security'],
  ] as const)('%j → %s', (query, team) => expect(routeTeam(config, query)).toBe(team));
});
