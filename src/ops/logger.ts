/**
 * One pino logger for the process. Redaction is the last line of defence: secrets are not
 * logged on purpose anywhere, and these paths catch them if a library or a careless object
 * carries one in (a token in a URL, a password in a body).
 */
import { type DestinationStream, type Logger, pino } from 'pino';

export const REDACTED_PATHS = [
  'token',
  '*.token',
  'password',
  '*.password',
  'secret',
  '*.secret',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'headers.cookie',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-telegram-bot-api-secret-token"]',
  'appSecret',
  '*.appSecret',
];

/** Bot tokens have a recognisable shape; scrub them from any message text too. */
const TOKEN_PATTERNS = [/\bbot\d{5,}:[A-Za-z0-9_-]{30,}/g, /\b\d{5,}:[A-Za-z0-9_-]{30,}\b/g];

export function scrubSecrets(text: string): string {
  return TOKEN_PATTERNS.reduce((t, p) => t.replace(p, '[token]'), text);
}

/**
 * A child carrying `bindings`, or the logger itself when it carries them already: pino
 * writes a binding once per `child()`, so a component binding what its caller bound (a
 * channel, a role) printed the key twice on every line.
 */
export function withBindings(logger: Logger, bindings: Record<string, string>): Logger {
  const current = logger.bindings();
  const missing = Object.entries(bindings).filter(([key, value]) => current[key] !== value);
  return missing.length === 0 ? logger : logger.child(Object.fromEntries(missing));
}

export function createLogger(level = 'info', destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { pid: process.pid },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      hooks: {
        logMethod(args, method) {
          method.apply(
            this,
            args.map((a) => (typeof a === 'string' ? scrubSecrets(a) : a)) as Parameters<typeof method>,
          );
        },
      },
      serializers: {
        err: (err: unknown) => {
          const serialized = pino.stdSerializers.err(err instanceof Error ? err : new Error(String(err)));
          return {
            ...serialized,
            message: scrubSecrets(serialized.message),
            stack: scrubSecrets(serialized.stack ?? ''),
          };
        },
      },
    },
    destination,
  );
}
