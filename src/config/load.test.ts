import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfigText } from './load.ts';

const minimal = `
organization: { name: Example Wallet }
official: { name: Example Wallet, domains: [example.com] }
`;

function problems(text: string, env = {}) {
  try {
    parseConfigText(text, 'test.yaml', env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('loads the documented default file', () => {
    const { config } = loadConfig('config/verity.yaml', {});
    expect(config.organization.name).toBe('Example Wallet');
    expect(config.official.domains).toContain('example.com');
    expect(config.redis).toMatchObject({ keyPrefix: 'verity', shards: 16 });
    expect(config.channels.telegram?.limits).toMatchObject({ perSecond: 30 });
  });

  it('fills defaults for a minimal file', () => {
    const config = parseConfigText(minimal, 'min.yaml');
    expect(config.languages).toEqual({ default: 'en', supported: ['en', 'zh'] });
    expect(config.bus.maxAttempts).toBe(5);
    expect(config.store.retention.resolvedDays).toBe(90);
  });

  it('lets the environment override deployment settings', () => {
    const config = parseConfigText(minimal, 'min.yaml', {
      REDIS_URL: 'redis://10.0.0.5:6380',
      VERITY_INBOX_PORT: '9000',
    });
    expect(config.redis.url).toBe('redis://10.0.0.5:6380');
    expect(config.inbox.port).toBe(9000);
  });

  it('takes Redis passwords from the environment only, and refuses them in the file by name', () => {
    const sentinel = 'redis: { sentinel: { name: m, nodes: ["127.0.0.1:26379"] } }';
    const config = parseConfigText(`${minimal}\n${sentinel}`, 'min.yaml', {
      REDIS_PASSWORD: 'master-pw',
      REDIS_SENTINEL_PASSWORD: 'sentinel-pw',
    });
    expect(config.redis).toMatchObject({ password: 'master-pw', sentinel: { password: 'sentinel-pw' } });

    const inFile = `${minimal}\nredis: { password: pw, sentinel: { name: m, nodes: ["127.0.0.1:26379"], password: pw } }`;
    expect(problems(inFile)).toEqual([
      {
        path: 'redis.password',
        expected: 'unset here: a secret, set REDIS_PASSWORD in the environment',
        found: 'a value',
      },
      {
        path: 'redis.sentinel.password',
        expected: 'unset here: a secret, set REDIS_SENTINEL_PASSWORD in the environment',
        found: 'a value',
      },
    ]);
  });

  it.each([
    ['a missing section', 'official: { name: X }', 'organization', 'object', 'nothing'],
    ['a wrong type', `${minimal}\nredis: { shards: many }`, 'redis.shards', 'number', 'string "many"'],
    ['a number out of range', `${minimal}\nredis: { shards: 0 }`, 'redis.shards', '>=1', 'number 0'],
    ['a bad enum', `${minimal}\nlog: { level: loud }`, 'log.level', 'one of "fatal"', 'string "loud"'],
    [
      'a bad URL',
      `${minimal}\nredis: { url: "http://x" }`,
      'redis.url',
      'redis:// or rediss://',
      'string "http://x"',
    ],
    [
      'a bad language tag',
      `${minimal}\nlanguages: { default: English }`,
      'languages.default',
      'BCP 47',
      'string "English"',
    ],
    ['a list where a map belongs', `${minimal}\nchannels: [telegram]`, 'channels', 'record', 'an array of 1'],
  ])('names the field for %s', (_case, text, path, expected, found) => {
    const [problem] = problems(text).filter((p) => p.path === path);
    expect(problem, JSON.stringify(problems(text))).toBeDefined();
    expect(problem?.expected).toContain(expected);
    expect(problem?.found).toBe(found);
  });

  it('reports YAML syntax errors with their line', () => {
    const [problem] = problems('organization:\n  name: [unclosed\n');
    expect(problem?.path).toMatch(/^line \d+, column \d+$/);
    expect(problem?.expected).toBe('valid YAML');
  });

  it('reports every problem at once, not just the first', () => {
    expect(problems('redis: { shards: -1 }\nlog: { level: 3 }').length).toBeGreaterThanOrEqual(4);
  });

  it('says so when the file does not exist', () => {
    expect(() => loadConfig('config/nope.yaml', {})).toThrow(/no such file/);
  });
});
