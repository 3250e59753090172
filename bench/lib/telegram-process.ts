/**
 * A forked process of a Telegram bench shape: the roles it is given (never receiving, which
 * stays with the emulator's process), against the Redis and the emulator of the process that
 * forked it. It answers "ready" once started, its CPU time when asked "cpu", and stops
 * (drained) when told "stop".
 */
import { z } from 'zod';
import { TelegramAdapter } from '../../adapters/telegram/adapter.ts';
import { RoleName } from '../../src/app/runtime.ts';
import { createLogger } from '../../src/ops/logger.ts';
import { echoRuntime, UNREACHABLE_LIMITS } from './echo-runtime.ts';

const Args = z.object({
  redisUrl: z.string().url(),
  keyPrefix: z.string().min(1),
  apiRoot: z.string().url(),
  token: z.string().min(1),
  roles: z.array(RoleName).min(1),
});

const args = Args.parse(JSON.parse(process.argv[2] ?? '{}'));
const logger = createLogger(process.env.BENCH_LOG ?? 'warn');
const adapter = new TelegramAdapter({ token: args.token, logger, settings: { apiRoot: args.apiRoot } });
const runtime = echoRuntime({
  redisUrl: args.redisUrl,
  adapter,
  limits: UNREACHABLE_LIMITS,
  logger,
  roles: args.roles,
  keyPrefix: args.keyPrefix,
});
await runtime.start();
process.on('message', (message: unknown) => {
  if (message === 'cpu') {
    const used = process.cpuUsage();
    process.send?.({ cpuMs: (used.user + used.system) / 1000 });
  }
  if (message === 'stop') void runtime.stop().then(() => process.exit(0));
});
// A bench that died (a timeout, a kill) leaves no forked process behind: an orphan would go on
// reading Redis and take CPU from every later run on the machine.
process.on('disconnect', () => process.exit(1));
process.send?.('ready');
