import { VerityError } from '../core/errors.ts';

/** A store operation refused (no such conversation, a bad cursor or tag …); `code` says which. */
export class StoreError extends VerityError {}
