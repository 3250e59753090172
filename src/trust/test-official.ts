/** The sandbox organization's `official` section, shared by the trust tests. */
import { OfficialConfig } from '../config/sections/official.ts';

export function exampleOfficial(
  overrides: Partial<Record<keyof OfficialConfig, unknown>> = {},
): OfficialConfig {
  return OfficialConfig.parse({
    name: 'Example Wallet',
    brands: ['examplewallet', 'example'],
    domains: ['example.com', 'example.io'],
    handles: {
      telegram: ['@ExampleSupport', '@ExampleWalletBot'],
      discord: ['examplesupport', 'ExampleWallet'],
      wechat: ['ExampleWallet'],
    },
    ids: { telegram: ['1000001'], discord: ['900000000000000001'] },
    phones: ['+1 555 0100'],
    emails: ['support@example.com'],
    staffNames: ['Alice Chen', 'Bob Li'],
    addresses: ['0x1234567890abcdef1234567890abcdef12345678'],
    links: ['https://discord.gg/example'],
    ...overrides,
  });
}
