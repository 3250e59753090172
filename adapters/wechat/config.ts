/**
 * The WeChat channel's settings, read from the environment (the names wechaty and its OA
 * puppet already use) and validated once. Secrets (app secret, callback token, AES key)
 * live only in the returned object's `oa` part, which is never logged.
 */
import { z } from 'zod';
import { InvalidInputError } from '../../src/core/errors.ts';

export const DEFAULT_API_BASE = 'https://api.weixin.qq.com/cgi-bin/';

/**
 * Puppets other than the Official Account and the mock drive a personal WeChat account
 * (web, pad or hook protocols, or a paid token service). They break often and risk bans,
 * so they need an explicit opt-in; WeCom's puppet is listed for organizations on WeCom.
 */
export const OPT_IN_PUPPETS = [
  'wechaty-puppet-service',
  'wechaty-puppet-padlocal',
  'wechaty-puppet-wechat4u',
  'wechaty-puppet-wechat',
  'wechaty-puppet-xp',
  '@juzibot/wechaty-puppet-wxwork',
] as const;

const flag = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no'])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

const Env = z.object({
  WECHATY_PUPPET: z
    .enum([
      'official-account',
      'wechaty-puppet-official-account',
      'mock',
      'wechaty-puppet-mock',
      ...OPT_IN_PUPPETS,
    ])
    .default('official-account'),
  WECHAT_ALLOW_PERSONAL_PUPPET: flag.default(false),
  WECHATY_PUPPET_OA_APP_ID: z
    .string()
    .regex(/^wx[0-9a-zA-Z]{4,32}$/, 'an AppID such as wx1234abcd…')
    .optional(),
  WECHATY_PUPPET_OA_APP_SECRET: z.string().min(8).optional(),
  WECHATY_PUPPET_OA_TOKEN: z
    .string()
    .regex(/^[A-Za-z0-9]{3,32}$/, '3–32 letters or digits, as the WeChat console requires')
    .optional(),
  WECHATY_PUPPET_OA_AES_KEY: z
    .string()
    .regex(/^[A-Za-z0-9+/]{43}$/, 'the 43-character EncodingAESKey')
    .optional(),
  WECHATY_PUPPET_OA_PORT: z.coerce.number().int().min(0).max(65_535).default(8788),
  WECHATY_PUPPET_OA_HOST: z.string().min(1).default('127.0.0.1'),
  WECHATY_PUPPET_OA_MAX_SKEW_SECONDS: z.coerce.number().int().min(5).max(3600).default(300),
  WECHATY_PUPPET_OA_ANSWER_BUDGET_MS: z.coerce.number().int().min(0).max(4500).default(3000),
  WECHAT_OA_API_BASE: z.url({ protocol: /^https?$/ }).default(DEFAULT_API_BASE),
  WECHAT_START_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(30_000),
  WECHAT_MAX_TEXT_BYTES: z.coerce.number().int().min(64).max(2048).default(2048),
});

export interface OaSettings {
  appId: string;
  appSecret: string;
  token: string;
  /** Safe mode (安全模式): the 43-character EncodingAESKey. */
  encodingAesKey?: string;
  host: string;
  port: number;
  apiBase: string;
  /** Pushes whose timestamp is further than this from our clock are refused (replays). */
  maxSkewSeconds: number;
  /**
   * A push is answered once stored (the consumer acknowledges it), or after this long at
   * the latest (0: at once). Keep it well under WeChat's 5 s.
   */
  answerBudgetMs: number;
}

export type OptInPuppetName = (typeof OPT_IN_PUPPETS)[number];

export type PuppetChoice =
  | { kind: 'official-account'; oa: OaSettings }
  | { kind: 'mock' }
  | { kind: 'opt-in'; name: OptInPuppetName };

export interface WechatConfig {
  puppet: PuppetChoice;
  startTimeoutMs: number;
  /** WeChat's customer-service text limit; longer texts are split. */
  maxTextBytes: number;
}

export function loadWechatConfig(env: Readonly<Record<string, string | undefined>>): WechatConfig {
  const parsed = Env.safeParse(env);
  if (!parsed.success) throw new InvalidInputError('wechat configuration', z.prettifyError(parsed.error));
  const e = parsed.data;
  const common = { startTimeoutMs: e.WECHAT_START_TIMEOUT_MS, maxTextBytes: e.WECHAT_MAX_TEXT_BYTES };
  switch (e.WECHATY_PUPPET) {
    case 'mock':
    case 'wechaty-puppet-mock':
      return { ...common, puppet: { kind: 'mock' } };
    case 'official-account':
    case 'wechaty-puppet-official-account': {
      const appId = e.WECHATY_PUPPET_OA_APP_ID;
      const appSecret = e.WECHATY_PUPPET_OA_APP_SECRET;
      const token = e.WECHATY_PUPPET_OA_TOKEN;
      if (!appId || !appSecret || !token) {
        const missing = Object.entries({
          WECHATY_PUPPET_OA_APP_ID: appId,
          WECHATY_PUPPET_OA_APP_SECRET: appSecret,
          WECHATY_PUPPET_OA_TOKEN: token,
        }).flatMap(([name, value]) => (value === undefined ? [name] : []));
        throw new InvalidInputError(
          'wechat configuration',
          `the official-account puppet needs ${missing.join(', ')}`,
        );
      }
      return {
        ...common,
        puppet: {
          kind: 'official-account',
          oa: {
            appId,
            appSecret,
            token,
            ...(e.WECHATY_PUPPET_OA_AES_KEY ? { encodingAesKey: e.WECHATY_PUPPET_OA_AES_KEY } : {}),
            host: e.WECHATY_PUPPET_OA_HOST,
            port: e.WECHATY_PUPPET_OA_PORT,
            apiBase: e.WECHAT_OA_API_BASE,
            maxSkewSeconds: e.WECHATY_PUPPET_OA_MAX_SKEW_SECONDS,
            answerBudgetMs: e.WECHATY_PUPPET_OA_ANSWER_BUDGET_MS,
          },
        },
      };
    }
    default:
      if (!e.WECHAT_ALLOW_PERSONAL_PUPPET) {
        throw new InvalidInputError(
          'wechat configuration',
          `${e.WECHATY_PUPPET} drives a personal WeChat account (ban risk, unofficial protocol); set WECHAT_ALLOW_PERSONAL_PUPPET=true to use it anyway`,
        );
      }
      return { ...common, puppet: { kind: 'opt-in', name: e.WECHATY_PUPPET } };
  }
}
