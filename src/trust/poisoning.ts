/**
 * Address poisoning: an attacker sends dust from a vanity address that shares the first
 * and last characters of an address the victim uses, hoping it gets copied from history.
 * Wallets show only the ends, so same ends + different middle is the signature.
 */
import { normalizeAddress } from './official.ts';

const ENDS = 4;

function body(address: string): string {
  const a = normalizeAddress(address);
  return a.replace(/^(0x|bc1|tb1)/, '');
}

function endsKey(address: string): string | undefined {
  const b = body(address);
  if (b.length < ENDS * 2 + 4) return undefined;
  const prefix = normalizeAddress(address).slice(0, address.length - b.length);
  return `${prefix}|${b.slice(0, ENDS)}|${b.slice(-ENDS)}`;
}

export interface Poisoning {
  imitated: string;
  official: boolean;
}

export class PoisoningIndex {
  private readonly byEnds = new Map<string, string>();

  constructor(officialAddresses: Iterable<string>) {
    for (const address of officialAddresses) {
      const key = endsKey(address);
      if (key) this.byEnds.set(key, address);
    }
  }

  /** The official or recently seen address `address` imitates, if any. */
  check(address: string, recent: Iterable<string> = []): Poisoning | undefined {
    const key = endsKey(address);
    if (!key) return undefined;
    const mine = normalizeAddress(address);
    const official = this.byEnds.get(key);
    if (official && normalizeAddress(official) !== mine) return { imitated: official, official: true };
    for (const seen of recent) {
      if (endsKey(seen) === key && normalizeAddress(seen) !== mine)
        return { imitated: seen, official: false };
    }
    return undefined;
  }
}
