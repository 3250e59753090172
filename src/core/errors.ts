/**
 * Errors with stable codes. Callers branch on `code`, never on message text; the context
 * carries what an operator needs to act, and never a secret.
 */
export class VerityError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly context: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Input that failed validation at a boundary (platform update, HTTP body, config, CLI). */
export class InvalidInputError extends VerityError {
  constructor(
    readonly source: string,
    readonly reason: string,
    context: Record<string, unknown> = {},
  ) {
    super('INVALID_INPUT', `invalid ${source}: ${reason}`, context);
  }
}

/**
 * How a platform refused an outbound command. Delivery decides from `kind` alone:
 * - `rate-limited`: wait `retryAfterMs` for that chat, then try again;
 * - `transient`: try again with backoff (network, 5xx);
 * - `permanent`: never retry; `reason` is recorded on the conversation
 *   (blocked, chat-gone, forbidden, window-closed, quota-exhausted, invalid …).
 */
export type DeliveryFailureKind = 'rate-limited' | 'transient' | 'permanent';

export class DeliveryError extends VerityError {
  constructor(
    readonly kind: DeliveryFailureKind,
    readonly reason: string,
    message: string,
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(`DELIVERY_${kind.toUpperCase().replace('-', '_')}`, message, { reason, retryAfterMs }, options);
  }

  /** The participant can no longer be reached through this thread (not just this message). */
  get unreachable(): boolean {
    return (
      this.kind === 'permanent' &&
      ['blocked', 'chat-gone', 'window-closed', 'deactivated'].includes(this.reason)
    );
  }
}
