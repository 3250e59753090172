/**
 * How a Discord refusal reads for delivery. Delivery branches on DeliveryError's kind and
 * reason only, so every discord.js error shape ends up here: DiscordAPIError (4xx with
 * Discord's JSON code), HTTPError (5xx after discord.js's own 3 retries), RateLimitError
 * (a wait longer than we let discord.js sleep), and network failures.
 */
import { DiscordAPIError, HTTPError, RateLimitError } from 'discord.js';
import { DeliveryError } from '../../src/core/errors.ts';

/** Discord JSON error codes that mean something to delivery. */
export const DiscordCode = {
  UnknownChannel: 10003,
  UnknownGuild: 10004,
  UnknownMember: 10007,
  UnknownMessage: 10008,
  UnknownUser: 10013,
  UnknownInteraction: 10062,
  InteractionAcknowledged: 40060,
  MissingAccess: 50001,
  CannotEditOthers: 50005,
  EmptyMessage: 50006,
  CannotSendToUser: 50007,
  MissingPermissions: 50013,
  InvalidFormBody: 50035,
  ThreadArchived: 50083,
} as const;

const PERMANENT: Record<number, string> = {
  [DiscordCode.CannotSendToUser]: 'blocked',
  [DiscordCode.UnknownChannel]: 'chat-gone',
  [DiscordCode.UnknownGuild]: 'chat-gone',
  [DiscordCode.UnknownUser]: 'chat-gone',
  [DiscordCode.MissingPermissions]: 'forbidden',
  [DiscordCode.MissingAccess]: 'forbidden',
  [DiscordCode.ThreadArchived]: 'forbidden',
  [DiscordCode.UnknownMessage]: 'message-gone',
  [DiscordCode.UnknownMember]: 'member-gone',
  [DiscordCode.CannotEditOthers]: 'invalid',
  [DiscordCode.EmptyMessage]: 'invalid',
  [DiscordCode.InvalidFormBody]: 'invalid',
  [DiscordCode.UnknownInteraction]: 'interaction-expired',
  [DiscordCode.InteractionAcknowledged]: 'interaction-expired',
};

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
]);

function networkCode(error: Error): string | undefined {
  for (const candidate of [error, error.cause]) {
    if (
      candidate instanceof Error &&
      'code' in candidate &&
      typeof candidate.code === 'string' &&
      NETWORK_CODES.has(candidate.code)
    ) {
      return candidate.code;
    }
  }
  return undefined;
}

/**
 * Interaction callback and webhook URLs carry the interaction's token, a credential for
 * 15 minutes; discord.js puts the URL on its errors. Errors from discord.js are therefore
 * logged and passed on only as a copy with the token cut out.
 */
export function redactUrl(url: string): string {
  return url.replace(/\/(webhooks|interactions)\/(\d+)\/[^/?]+/g, '/$1/$2/:token');
}

export function safeError(error: unknown): unknown {
  if (error instanceof DiscordAPIError || error instanceof HTTPError) {
    const copy = new Error(
      `${error.name} ${error.status} ${error.method} ${redactUrl(error.url)}: ${error.message}`,
    );
    copy.name = error.name;
    return copy;
  }
  if (error instanceof RateLimitError) {
    return new Error(
      `RateLimitError ${error.method} ${redactUrl(error.url)}: retry after ${error.retryAfter} ms`,
    );
  }
  return error;
}

export function toDeliveryError(error: unknown, what: string): DeliveryError {
  if (error instanceof DeliveryError) return error;
  const cause = safeError(error);
  if (error instanceof RateLimitError) {
    return new DeliveryError(
      'rate-limited',
      error.global ? 'global-rate-limit' : 'rate-limit',
      `${what}: Discord rate limit on ${error.route} (${error.retryAfter} ms)`,
      Math.max(1, Math.ceil(error.retryAfter)),
      { cause },
    );
  }
  if (error instanceof DiscordAPIError) {
    const code = typeof error.code === 'number' ? error.code : Number.NaN;
    const reason = PERMANENT[code];
    if (error.status === 429) {
      return new DeliveryError('rate-limited', 'rate-limit', `${what}: rate limited`, 1000, { cause });
    }
    if (reason) {
      return new DeliveryError(
        'permanent',
        reason,
        `${what}: Discord refused (${code} ${error.message})`,
        undefined,
        { cause },
      );
    }
    if (error.status >= 500) {
      return new DeliveryError('transient', 'server-error', `${what}: Discord ${error.status}`, undefined, {
        cause,
      });
    }
    const general = error.status === 403 ? 'forbidden' : error.status === 404 ? 'chat-gone' : 'invalid';
    return new DeliveryError(
      'permanent',
      general,
      `${what}: Discord refused (${error.status} ${code} ${error.message})`,
      undefined,
      {
        cause,
      },
    );
  }
  if (error instanceof HTTPError) {
    const kind = error.status >= 500 || error.status === 408 ? 'transient' : 'permanent';
    return new DeliveryError(
      kind,
      kind === 'transient' ? 'server-error' : 'invalid',
      `${what}: HTTP ${error.status}`,
      undefined,
      {
        cause,
      },
    );
  }
  if (error instanceof Error) {
    const code = networkCode(error);
    if (code || error.name === 'AbortError' || error.message.includes('fetch failed')) {
      return new DeliveryError('transient', 'network', `${what}: ${code ?? error.name}`, undefined, {
        cause,
      });
    }
    return new DeliveryError('transient', 'unexpected', `${what}: ${error.message}`, undefined, {
      cause,
    });
  }
  return new DeliveryError('transient', 'unexpected', `${what}: ${String(error)}`);
}
