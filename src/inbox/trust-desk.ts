/**
 * What the moderator console needs from src/trust: the scam registry (flags, reports) and
 * a check of any text. A small interface so the inbox can run, and be tested, against the
 * real registry and scanner without knowing how they are built.
 */
import type { Entity } from '../core/model.ts';
import {
  checkText,
  type FlagEntry,
  type Report,
  type ScamRegistry,
  type TrustScanner,
} from '../trust/index.ts';

export interface TrustDesk {
  registry: Pick<ScamRegistry, 'flag' | 'unflag' | 'list' | 'pendingReports' | 'decide' | 'report'>;
  check(text: string): { text: string; entities: Entity[] };
}

export type { FlagEntry, Report };

export function trustDesk(registry: ScamRegistry, scanner: TrustScanner): TrustDesk {
  return {
    registry,
    check: (text) => {
      const result = checkText(scanner, text);
      return { text: result.text, entities: result.entities };
    },
  };
}
