/**
 * `verity trust check|flag|unflag|list|import|export|verify-code`. `check` works offline
 * (the configured registry, or --official FILE); the rest act on the deployment's Redis.
 */
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { DEFAULT_CONFIG_PATH, loadConfig } from '../../config/load.ts';
import {
  FlagKind,
  ScamRegistry,
  trustCheck,
  trustExport,
  trustFlag,
  trustImport,
  trustList,
  trustUnflag,
  trustVerifyCode,
  VerificationCodes,
} from '../../trust/index.ts';
import { parse, UsageError } from '../args.ts';
import { commandContext } from './context.ts';

export const TRUST_USAGE = [
  'verity trust check [--official FILE] [--json] "<text>" | -',
  'verity trust flag <kind> <value> --reason "…" [--evidence "…"] [--channel C] [--by NAME]',
  'verity trust unflag <kind> <value> [--reason "…"] [--channel C] [--by NAME]',
  'verity trust list [--kind KIND] [--json]',
  'verity trust import FILE [--by NAME]   (JSON or CSV)',
  'verity trust export [--format json|csv]',
  'verity trust verify-code CODE --channel C --user ID',
  `kinds: ${FlagKind.options.join(', ')}`,
].join('\n');

const OPTIONS = {
  official: { type: 'string' },
  json: { type: 'boolean' },
  reason: { type: 'string' },
  evidence: { type: 'string' },
  channel: { type: 'string' },
  by: { type: 'string' },
  kind: { type: 'string' },
  format: { type: 'string' },
  user: { type: 'string' },
} as const;

const Args = z.object({
  positionals: z.array(z.string()).min(1),
  official: z.string().optional(),
  json: z.boolean().default(false),
  reason: z.string().optional(),
  evidence: z.string().optional(),
  channel: z.string().optional(),
  by: z.string().default(process.env.USER ?? 'cli'),
  kind: FlagKind.optional(),
  format: z.enum(['json', 'csv']).default('json'),
  user: z.string().optional(),
});

export async function trust(argv: string[]): Promise<number> {
  const args = parse(argv, OPTIONS, Args);
  const [command, ...rest] = args.positionals;
  if (command === 'check') {
    const [text] = rest;
    if (text === undefined)
      throw new UsageError('check needs a text, or - to read one text per line from stdin');
    const official = args.official
      ? undefined
      : loadConfig(process.env.VERITY_CONFIG ?? DEFAULT_CONFIG_PATH, {}).config.official;
    return trustCheck({
      ...(text === '-' ? { stdinLines: createInterface({ input: process.stdin }) } : { text }),
      ...(args.official ? { officialFile: args.official } : {}),
      ...(official ? { official } : {}),
      json: args.json,
      write: (line) => console.log(line),
    });
  }
  if (command === 'verify-code') {
    const [code] = rest;
    if (!code || !args.channel || !args.user)
      throw new UsageError('verify-code needs CODE --channel C --user ID');
    const secret = process.env.VERITY_CODE_SECRET;
    if (!secret)
      throw new UsageError('VERITY_CODE_SECRET must be set (the secret the deployment issues codes with)');
    const { result, message } = trustVerifyCode(new VerificationCodes({ secret }), {
      code,
      channel: args.channel,
      userId: args.user,
    });
    console.log(message);
    return result.status === 'issued' ? 0 : 1;
  }
  const ctx = commandContext();
  const registry = new ScamRegistry({ redis: ctx.redis, prefix: ctx.store.keys.namespace('trust') });
  try {
    const kindAndValue = () => {
      const kind = FlagKind.safeParse(rest[0]);
      if (!kind.success || !rest[1])
        throw new UsageError(`${command} needs <kind> <value>; kinds: ${FlagKind.options.join(', ')}`);
      return { kind: kind.data, value: rest[1], ...(args.channel ? { channel: args.channel } : {}) };
    };
    switch (command) {
      case 'flag': {
        if (!args.reason) throw new UsageError('flag needs --reason');
        const input = {
          ...kindAndValue(),
          reason: args.reason,
          by: args.by,
          ...(args.evidence ? { evidence: args.evidence } : {}),
        };
        console.log(await trustFlag(registry, input));
        return 0;
      }
      case 'unflag':
        console.log(
          await trustUnflag(registry, {
            ...kindAndValue(),
            by: args.by,
            ...(args.reason ? { reason: args.reason } : {}),
          }),
        );
        return 0;
      case 'list':
        for (const line of await trustList(registry, {
          json: args.json,
          ...(args.kind ? { kind: args.kind } : {}),
        }))
          console.log(line);
        return 0;
      case 'import': {
        if (!rest[0]) throw new UsageError('import needs a FILE');
        console.log(await trustImport(registry, { file: rest[0], by: args.by }));
        return 0;
      }
      case 'export':
        console.log(await trustExport(registry, { format: args.format }));
        return 0;
      default:
        throw new UsageError(`unknown trust command "${command}"\n${TRUST_USAGE}`);
    }
  } finally {
    ctx.close();
  }
}
