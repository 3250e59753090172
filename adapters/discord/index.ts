/**
 * The Discord channel's entry point for the app layer: validated settings and credentials
 * in, a ready-to-start adapter out. Without DISCORD_BOT_TOKEN the adapter runs against the
 * seeded sandbox emulator, so a newcomer sees Discord work without an account.
 */
import type { Logger } from 'pino';
import { DiscordAdapter } from './adapter.ts';
import { DiscordSettings, loadDiscordConfig } from './config.ts';
import { type SandboxDiscord, startSandboxDiscord } from './emulator/sandbox.ts';

export { DiscordAdapter } from './adapter.ts';
export { DiscordSettings, loadDiscordConfig } from './config.ts';

export interface DiscordChannel {
  adapter: DiscordAdapter;
  /** Set when running against the sandbox emulator (no token configured). */
  sandbox: SandboxDiscord | null;
  /** Stops the adapter, then the sandbox emulator if any (in that order: see README). */
  close(): Promise<void>;
}

export async function createDiscordChannel(opts: {
  section: unknown;
  env: Readonly<Record<string, string | undefined>>;
  logger: Logger;
  organization?: string;
}): Promise<DiscordChannel> {
  if (opts.env.DISCORD_BOT_TOKEN) {
    const { settings, credentials } = loadDiscordConfig(opts.section, opts.env);
    const adapter = new DiscordAdapter({ settings, credentials, logger: opts.logger });
    return { adapter, sandbox: null, close: () => adapter.stop() };
  }
  const sandbox = await startSandboxDiscord(opts.organization ? { organization: opts.organization } : {});
  const configured = typeof opts.section === 'object' && opts.section !== null ? opts.section : {};
  const parsed = DiscordSettings.safeParse({ ...configured, ...sandbox.settings });
  if (!parsed.success) {
    await sandbox.emulator.close();
    throw parsed.error;
  }
  opts.logger.info(
    { control: `${sandbox.emulator.baseUrl}/_control/state` },
    'discord: no DISCORD_BOT_TOKEN; using the sandbox emulator',
  );
  const adapter = new DiscordAdapter({
    settings: parsed.data,
    credentials: sandbox.credentials,
    logger: opts.logger,
  });
  return {
    adapter,
    sandbox,
    close: async () => {
      await adapter.stop();
      await sandbox.emulator.close();
    },
  };
}
