import { describe, expect, it } from 'vitest';
import { SupportConfig } from './config.ts';
import { SupportDataError } from './files.ts';
import { kbTest } from './kb/matcher.ts';
import { loadSupportData } from './load.ts';

describe('loadSupportData', () => {
  it('loads the shipped knowledge base and templates with the configured thresholds', () => {
    const config = SupportConfig.parse({ kb: { answerThreshold: 0.99 } });
    const { matcher, templates } = loadSupportData(config, { default: 'en', supported: ['en', 'zh'] });
    expect(matcher.options.answerThreshold).toBe(0.99);
    expect(templates.languages().sort()).toEqual(['en', 'zh']);
    const out = kbTest('短信验证码收不到', {
      matcher,
      languages: { supported: ['en', 'zh'], default: 'en' },
    });
    expect(out.language).toBe('zh');
    expect(out.candidates[0]?.id).toBe('account-login-code');
  });

  it('fails early on a language the knowledge base does not cover', () => {
    expect(() =>
      loadSupportData(SupportConfig.parse({}), { default: 'en', supported: ['en', 'zh', 'fr'] }),
    ).toThrow(SupportDataError);
  });
});
