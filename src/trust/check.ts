/**
 * Checks on request (`/check`, forwarded messages, `verity trust check`): the text with
 * secrets removed, every entity with its verdict and reasons, and where to go instead.
 * Secrets found are reported as `secret` entities whose value is the placeholder only.
 */
import type { Entity, Redaction } from '../core/model.ts';
import type { ScanContext, TrustScanner } from './scanner.ts';
import { PLACEHOLDERS, shield } from './shield.ts';

export interface CheckResult {
  /** The text as checked, secrets already replaced. */
  text: string;
  entities: Entity[];
  redactions: Redaction[];
  /** The official places, for "use this instead" when nothing more specific applies. */
  officialAlternatives: string[];
}

const SECRET_ADVICE: Record<Redaction['kind'], string> = {
  'seed-phrase':
    'this is a wallet recovery phrase: whoever has it owns the funds. Move your funds to a new wallet now; real support never asks for it',
  'private-key':
    'this is a private key: whoever has it owns the funds. Move your funds to a new wallet now; real support never asks for it',
  password: 'this is a password: change it now; real support never asks for it',
  other: 'this looks like a secret; real support never asks for it',
};

export function secretEntities(redactions: readonly Redaction[]): Entity[] {
  return redactions.map((r) => ({
    kind: 'secret',
    value: PLACEHOLDERS[r.kind],
    verdict: 'flagged',
    confidence: 'high',
    reasons: [SECRET_ADVICE[r.kind]],
  }));
}

export function checkText(scanner: TrustScanner, text: string, ctx: ScanContext = {}): CheckResult {
  const shielded = shield(text);
  return {
    text: shielded.text,
    entities: [...secretEntities(shielded.redactions), ...scanner.scan(shielded.text, ctx)],
    redactions: shielded.redactions,
    officialAlternatives: scanner.official.alternatives(),
  };
}
