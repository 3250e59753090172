/**
 * How a WeChat refusal becomes a `DeliveryError` (delivery decides from `kind` alone).
 *
 * 45047 (out of response count limit) is `permanent` / `quota-exhausted`: the quota is
 * per user action (5 sends after a message, 3 in the minute after a click or follow), so
 * waiting does not restore it — only the user acting again does, and that action starts a
 * new turn that the router answers anyway. Retrying would just burn attempts. It is not
 * `unreachable`: the next user message opens the thread again.
 */
import { DeliveryError } from '../../src/core/errors.ts';
import { OaApiError, OaTransportError } from './oa/api-client.ts';

const PERMANENT: Readonly<Record<number, string>> = {
  45015: 'window-closed',
  45047: 'quota-exhausted',
  43004: 'blocked',
  40003: 'chat-gone',
  45002: 'invalid',
  40008: 'invalid',
  47001: 'invalid',
  40007: 'invalid',
  48001: 'forbidden',
};

const TRANSIENT: Readonly<Record<number, string>> = {
  [-1]: 'platform-busy',
  40001: 'token-invalid',
  40014: 'token-invalid',
  42001: 'token-invalid',
  40164: 'ip-not-whitelisted',
};

const RATE_LIMITED: Readonly<Record<number, number>> = {
  45009: 60_000,
  45011: 1000,
};

export function toDeliveryError(error: unknown): DeliveryError {
  if (error instanceof DeliveryError) return error;
  if (error instanceof OaApiError) {
    const message = `WeChat refused the message: ${error.errcode} ${error.errmsg}`;
    const retryAfter = RATE_LIMITED[error.errcode];
    if (retryAfter !== undefined) {
      return new DeliveryError('rate-limited', 'rate-limited', message, retryAfter, { cause: error });
    }
    const permanent = PERMANENT[error.errcode];
    if (permanent !== undefined)
      return new DeliveryError('permanent', permanent, message, undefined, { cause: error });
    const transient = TRANSIENT[error.errcode] ?? `errcode-${error.errcode}`;
    return new DeliveryError('transient', transient, message, undefined, { cause: error });
  }
  if (error instanceof OaTransportError) {
    return new DeliveryError('transient', 'network', error.message, undefined, { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new DeliveryError(
    'transient',
    'puppet-error',
    `WeChat puppet failed to send: ${message}`,
    undefined,
    {
      cause: error,
    },
  );
}
