import { z } from 'zod';
import { ConfigError, DEFAULT_CONFIG_PATH, loadConfig } from '../../config/load.ts';
import { parse } from '../args.ts';

const Args = z.object({
  positionals: z.union([z.tuple([z.literal('check')]), z.tuple([z.literal('check'), z.string()])]),
});

export async function config(argv: string[]): Promise<number> {
  const { positionals } = parse(argv, {}, Args);
  const file = positionals[1] ?? process.env.VERITY_CONFIG ?? DEFAULT_CONFIG_PATH;
  try {
    const { config } = loadConfig(file);
    console.log(
      `${file}: ok (organization "${config.organization.name}", channels: ${Object.keys(config.channels).join(', ') || 'none'})`,
    );
    return 0;
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
}
