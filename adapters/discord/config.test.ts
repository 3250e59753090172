import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/core/errors.ts';
import { loadDiscordConfig } from './config.ts';

const env = { DISCORD_BOT_TOKEN: 'secret-token-value', DISCORD_APPLICATION_ID: '100000000000000001' };

describe('loadDiscordConfig', () => {
  it('applies defaults and keeps the token out of the settings', () => {
    const { settings, credentials } = loadDiscordConfig({ enabled: true, limits: { perSecond: 50 } }, env);
    expect(settings).toMatchObject({
      guildIds: [],
      commands: { register: 'guild' },
      rest: { globalRequestsPerSecond: 50, maxRateLimitWaitMs: 3000 },
    });
    expect(JSON.stringify(settings)).not.toContain('secret-token-value');
    expect(credentials).toEqual({ token: 'secret-token-value', applicationId: '100000000000000001' });
  });

  it('takes an API base for an emulator', () => {
    const { credentials } = loadDiscordConfig(undefined, {
      ...env,
      DISCORD_API_BASE: 'http://127.0.0.1:9999/api',
    });
    expect(credentials.apiBase).toBe('http://127.0.0.1:9999/api');
  });

  it('names every problem without echoing the token', () => {
    expect(() => loadDiscordConfig({ guildIds: ['not-an-id'] }, env)).toThrow(/guildIds/);
    try {
      loadDiscordConfig({}, { DISCORD_BOT_TOKEN: 'secret-token-value', DISCORD_APPLICATION_ID: 'abc' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(String(error)).toContain('DISCORD_APPLICATION_ID');
      expect(String(error)).not.toContain('secret-token-value');
    }
    expect(() => loadDiscordConfig({}, {})).toThrow(/DISCORD_BOT_TOKEN/);
  });
});
