/**
 * The channel registry: the one place the app names adapters. Each entry builds a
 * channel from its config section and the environment: the real platform when its token
 * is set, the local emulator (sandbox) when it is not. A new channel is a new folder under
 * adapters/ and one line here; the core never imports an adapter.
 */
import type { Logger } from 'pino';
import type { Env } from '../config/load.ts';
import type { ChannelAdapter } from '../core/channel.ts';

export interface ChannelSetup {
  adapter: ChannelAdapter;
  /** How users reach it in the sandbox (emulator control URL …); absent against the real platform. */
  sandbox?: string;
  /** Releases what the channel started besides the adapter (the emulator). */
  close(): Promise<void>;
  /** Called once the adapter has started (the sandbox learns where to push). */
  afterStart?(): void;
}

export interface ChannelContext {
  section: unknown;
  env: Env;
  logger: Logger;
  organization: string;
}

type Factory = (ctx: ChannelContext) => Promise<ChannelSetup>;

const CHANNELS: Record<string, () => Promise<Factory>> = {
  telegram: async () => {
    const { createTelegramChannel } = await import('../../adapters/telegram/index.ts');
    return async (ctx) => {
      const channel = await createTelegramChannel({ section: ctx.section, env: ctx.env, logger: ctx.logger });
      return {
        adapter: channel.adapter,
        ...(channel.emulator ? { sandbox: `${channel.emulator.apiRoot}control/` } : {}),
        close: () => channel.close(),
      };
    };
  },
  discord: async () => {
    const { createDiscordChannel } = await import('../../adapters/discord/index.ts');
    return async (ctx) => {
      const channel = await createDiscordChannel({
        section: ctx.section,
        env: ctx.env,
        logger: ctx.logger,
        organization: ctx.organization,
      });
      return {
        adapter: channel.adapter,
        ...(channel.sandbox ? { sandbox: channel.sandbox.emulator.apiBase } : {}),
        // The runtime stops the adapter; only the emulator is left to close.
        close: async () => {
          await channel.sandbox?.emulator.close();
        },
      };
    };
  },
  wechat: async () => {
    const { WechatAdapter } = await import('../../adapters/wechat/adapter.ts');
    const { loadWechatConfig } = await import('../../adapters/wechat/config.ts');
    const { emulatorEnv, startWechatOaEmulator } = await import('../../adapters/wechat/emulator/index.ts');
    return async (ctx) => {
      if (ctx.env.WECHATY_PUPPET) {
        const adapter = new WechatAdapter({ config: loadWechatConfig(ctx.env), logger: ctx.logger });
        return { adapter, close: async () => {} };
      }
      // The sandbox runs the production path: the hardened Official Account puppet against the emulator.
      const emulator = await startWechatOaEmulator();
      const adapter = new WechatAdapter({
        config: loadWechatConfig({ ...ctx.env, ...emulatorEnv(emulator) }),
        logger: ctx.logger,
      });
      return {
        adapter,
        sandbox: emulator.apiBase,
        afterStart: () => {
          const callback = adapter.health().info?.callback;
          if (callback) emulator.setCallbackUrl(callback);
        },
        close: () => emulator.close(),
      };
    };
  },
};

export const KNOWN_CHANNELS = Object.keys(CHANNELS);

export class UnknownChannelError extends Error {
  constructor(name: string) {
    super(`no adapter for channel "${name}" (known: ${KNOWN_CHANNELS.join(', ')})`);
  }
}

export async function createChannel(name: string, ctx: ChannelContext): Promise<ChannelSetup> {
  const load = CHANNELS[name];
  if (!load) throw new UnknownChannelError(name);
  return (await load())(ctx);
}
