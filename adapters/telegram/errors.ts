/**
 * telegraf's errors → `DeliveryError`, whose `kind` alone tells delivery what to do.
 * Telegram's descriptions are stable enough to branch on; they are the documented way to
 * tell a blocked user from a deleted chat.
 */
import { TelegramError } from 'telegraf';
import { DeliveryError } from '../../src/core/errors.ts';

export function toDeliveryError(error: unknown, method: string, token: string): DeliveryError {
  if (error instanceof DeliveryError) return error;
  if (!(error instanceof TelegramError)) {
    return new DeliveryError(
      'transient',
      'network',
      `telegram ${method}: ${redact(describe(error), token)}`,
      undefined,
      {
        cause: error,
      },
    );
  }
  const description = error.description ?? '';
  const text = description.toLowerCase();
  const message = `telegram ${method}: ${error.code} ${redact(description, token)}`;
  const permanent = (reason: string) =>
    new DeliveryError('permanent', reason, message, undefined, { cause: error });
  if (error.code === 429) {
    const seconds = error.parameters?.retry_after ?? 1;
    return new DeliveryError('rate-limited', 'flood', message, seconds * 1000, { cause: error });
  }
  if (error.code >= 500)
    return new DeliveryError('transient', 'server-error', message, undefined, { cause: error });
  // A revoked or mistyped token: retrying after the operator fixes it must still deliver.
  if (error.code === 401)
    return new DeliveryError('transient', 'unauthorized', message, undefined, { cause: error });
  if (error.code === 403) {
    if (text.includes('blocked')) return permanent('blocked');
    if (text.includes('deactivated')) return permanent('deactivated');
    if (text.includes('kicked') || text.includes('not a member') || text.includes('chat not found')) {
      return permanent('chat-gone');
    }
    return permanent('forbidden');
  }
  if (error.code === 400) {
    if (text.includes('chat not found') || text.includes('peer_id_invalid')) {
      return permanent('chat-gone');
    }
    if (text.includes('upgraded to a supergroup')) return permanent('chat-gone');
  }
  return permanent('invalid');
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/** telegraf redacts tokens from fetch errors itself; this is the second belt. */
export function redact(text: string, token: string): string {
  return token === '' ? text : text.replaceAll(token, '[token]');
}
