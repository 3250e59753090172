import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/core/errors.ts';
import { DEFAULT_API_BASE, loadWechatConfig } from './config.ts';

const oa = {
  WECHATY_PUPPET_OA_APP_ID: 'wx1234567890abcdef',
  WECHATY_PUPPET_OA_APP_SECRET: 's3cr3t-value-never-logged',
  WECHATY_PUPPET_OA_TOKEN: 'callbackToken1',
};

describe('loadWechatConfig', () => {
  it('defaults to the Official Account puppet on the real API base, bound to localhost', () => {
    expect(loadWechatConfig(oa)).toMatchObject({
      puppet: { kind: 'official-account', oa: { apiBase: DEFAULT_API_BASE, host: '127.0.0.1', port: 8788 } },
      maxTextBytes: 2048,
    });
  });

  it('names the missing OA settings', () => {
    expect(() => loadWechatConfig({ WECHATY_PUPPET: 'official-account' })).toThrow(
      /WECHATY_PUPPET_OA_APP_ID, WECHATY_PUPPET_OA_APP_SECRET, WECHATY_PUPPET_OA_TOKEN/,
    );
  });

  it('explains a bad value without echoing secrets', () => {
    let error: unknown;
    try {
      loadWechatConfig({ ...oa, WECHATY_PUPPET_OA_AES_KEY: 'too-short', WECHAT_OA_API_BASE: 'ftp://x' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidInputError);
    const message = error instanceof Error ? error.message : '';
    expect(message).toMatch(/WECHATY_PUPPET_OA_AES_KEY/);
    expect(message).toMatch(/WECHAT_OA_API_BASE/);
    expect(message).not.toContain('too-short');
    expect(message).not.toContain(oa.WECHATY_PUPPET_OA_APP_SECRET);
  });

  it('needs an explicit opt-in for personal-account puppets', () => {
    expect(() => loadWechatConfig({ WECHATY_PUPPET: 'wechaty-puppet-padlocal' })).toThrow(
      /WECHAT_ALLOW_PERSONAL_PUPPET/,
    );
    expect(
      loadWechatConfig({ WECHATY_PUPPET: 'wechaty-puppet-padlocal', WECHAT_ALLOW_PERSONAL_PUPPET: 'true' })
        .puppet,
    ).toEqual({ kind: 'opt-in', name: 'wechaty-puppet-padlocal' });
    expect(() => loadWechatConfig({ WECHATY_PUPPET: 'wechaty-puppet-anything' })).toThrow(InvalidInputError);
  });

  it('accepts the mock under either name', () => {
    expect(loadWechatConfig({ WECHATY_PUPPET: 'wechaty-puppet-mock' }).puppet).toEqual({ kind: 'mock' });
  });
});
