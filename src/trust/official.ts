/**
 * The official registry in the shapes verdicts need: normalized sets built once from the
 * `official` configuration section, so every lookup in the hot path is a map access.
 */
import { domainToASCII, domainToUnicode } from 'node:url';
import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js';
import { getDomainWithoutSuffix } from 'tldts';
import type { OfficialConfig } from '../config/sections/official.ts';
import { compactKey } from './skeleton.ts';

export interface OfficialHandle {
  channel: string;
  /** As configured, e.g. `@ExampleSupport`. */
  display: string;
}

/** A host in its Unicode form, lower-cased, without a trailing dot. */
export function normalizeHost(host: string): string {
  const trimmed = host
    .trim()
    .replace(/[。．｡]/g, '.')
    .replace(/\.$/, '')
    .toLowerCase();
  const unicode = trimmed.includes('xn--') ? domainToUnicode(trimmed) : trimmed;
  return unicode === '' ? trimmed : unicode;
}

/** The ASCII (punycode) form, for showing what a Unicode host really is. */
export function asciiHost(host: string): string {
  return domainToASCII(host) || host;
}

export function normalizeHandle(handle: string): string {
  return handle
    .trim()
    .replace(/^[@＠]/, '')
    .toLowerCase();
}

/**
 * E.164. An international number is its digits after `+` (a "(0)" trunk prefix dropped),
 * which also keeps numbers libphonenumber does not know (fictional 555 lines, new
 * ranges); a national number needs libphonenumber and the country.
 */
export function normalizePhone(phone: string, country?: CountryCode): string | undefined {
  const trimmed = phone.trim();
  if (trimmed.startsWith('+') || trimmed.startsWith('＋')) {
    const digits = trimmed.replace(/\(0\)/g, '').replace(/\D/g, '');
    return digits.length >= 7 && digits.length <= 15 ? `+${digits}` : undefined;
  }
  const parsed = country ? parsePhoneNumberFromString(trimmed, country) : undefined;
  return parsed?.isValid() ? parsed.number : undefined;
}

/** EVM addresses are case-insensitive (the case is only a checksum); base58 and bech32 are not. */
export function normalizeAddress(address: string): string {
  const a = address.trim();
  return /^0x[0-9a-f]{40}$/i.test(a) || /^(bc1|tb1)/i.test(a) ? a.toLowerCase() : a;
}

export class OfficialRegistry {
  readonly name: string;
  readonly domains: readonly string[];
  /** Handle without `@`, lower-cased → the accounts that use it (one per channel). */
  readonly handles = new Map<string, OfficialHandle[]>();
  readonly ids = new Map<string, Set<string>>();
  readonly phones = new Map<string, string>();
  readonly emails = new Set<string>();
  /** compactKey(name) → the name as configured. */
  readonly staffNames = new Map<string, string>();
  readonly addresses = new Map<string, string>();
  /** Brand spellings (compact keys) → what to show: the primary official domain or the name. */
  readonly brands = new Map<string, string>();
  readonly links = new Set<string>();
  private readonly allow = new Set<string>();

  constructor(readonly config: OfficialConfig) {
    this.name = config.name;
    this.domains = config.domains.map(normalizeHost);
    for (const [channel, list] of Object.entries(config.handles)) {
      for (const display of list) {
        const plain = normalizeHandle(display);
        this.handles.set(plain, [...(this.handles.get(plain) ?? []), { channel, display }]);
      }
    }
    for (const [channel, list] of Object.entries(config.ids)) this.ids.set(channel, new Set(list));
    for (const phone of config.phones) {
      const e164 = normalizePhone(phone);
      if (e164) this.phones.set(e164, phone);
    }
    for (const email of config.emails) this.emails.add(email.trim().toLowerCase());
    for (const name of config.staffNames) this.staffNames.set(compactKey(name), name);
    for (const address of config.addresses) this.addresses.set(normalizeAddress(address), address);
    for (const link of config.links) this.links.add(normalizeLink(link));
    const primary = this.domains[0] ?? config.name;
    const addBrand = (spelling: string, show: string): void => {
      const key = compactKey(spelling);
      if (key.length >= 3 && !this.brands.has(key)) this.brands.set(key, show);
    };
    const labels = this.domains.map(
      (d) => [d, compactKey(getDomainWithoutSuffix(d, { allowPrivateDomains: true }) ?? d)] as const,
    );
    const domainFor = (brand: string): string => {
      const key = compactKey(brand);
      return (
        labels.find(([, label]) => label.length >= 3 && (key.includes(label) || label.includes(key)))?.[0] ??
        primary
      );
    };
    addBrand(config.name, domainFor(config.name));
    for (const brand of config.brands) addBrand(brand, domainFor(brand));
    for (const domain of this.domains) {
      const label = getDomainWithoutSuffix(domain, { allowPrivateDomains: true });
      if (label) addBrand(label, domain);
    }
    for (const entry of config.allowlist)
      this.allow.add(
        entry
          .trim()
          .toLowerCase()
          .replace(/^[@＠]/, ''),
      );
  }

  isOfficialHost(host: string): boolean {
    return this.domains.some((d) => host === d || host.endsWith(`.${d}`));
  }

  /** The official domain a host belongs to, if any. */
  officialDomainOf(host: string): string | undefined {
    return this.domains.find((d) => host === d || host.endsWith(`.${d}`));
  }

  isOfficialId(channel: string, userId: string): boolean {
    return this.ids.get(channel)?.has(userId) ?? false;
  }

  /** Allowlisted values never get a lookalike verdict (a moderator fixed a false alarm). */
  isAllowed(value: string): boolean {
    const v = value
      .trim()
      .toLowerCase()
      .replace(/^[@＠]/, '');
    if (this.allow.has(v)) return true;
    for (let dot = v.indexOf('.'); dot >= 0; dot = v.indexOf('.', dot + 1)) {
      if (this.allow.has(v.slice(dot + 1))) return true;
    }
    return false;
  }

  /** Every official place, for "use this instead" answers. */
  alternatives(): string[] {
    return [...this.domains, ...[...this.handles.values()].flat().map((h) => `${h.display} (${h.channel})`)];
  }
}

/** `https://discord.gg/abc/` and `discord.gg/abc` compare equal. */
export function normalizeLink(link: string): string {
  return link
    .trim()
    .toLowerCase()
    .replace(/^[a-z]+:\/\//, '')
    .replace(/^www\./, '')
    .replace(/\/+$/, '');
}
