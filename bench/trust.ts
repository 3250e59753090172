/**
 * Trust benchmark: lookalike recall per family, false-positive rate on real unrelated
 * domains, the same figures for eth-phishing-detect's Levenshtein fuzzy matcher (with the
 * tolerance its shipped config uses), and scanning speed with 1k/10k/100k flags loaded.
 *
 *   npx tsx bench/trust.ts          reported figures (the `test` brands, odd half of the benign list)
 *   npx tsx bench/trust.ts --tune   tuning figures (the `tune` brands, even half), with misses
 *
 * Lookalikes are generated per family from the official brands of bench/data/trust-official.json;
 * the benign set is the 96k real domains of the npm package free-email-domains-list.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { OfficialConfig } from '../src/config/sections/official.ts';
import { domainLookalikes, handleLookalikes, pick, random } from '../src/trust/generate.ts';
import { RegistryIndex } from '../src/trust/registry-index.ts';
import { TrustScanner } from '../src/trust/scanner.ts';
import { shield } from '../src/trust/shield.ts';

const require = createRequire(import.meta.url);
const root = fileURLToPath(new URL('..', import.meta.url));

const Brand = z.object({ brand: z.string(), domain: z.string() });
const BenchData = z.object({ staff: z.array(z.string()), tune: z.array(Brand), test: z.array(Brand) });
type Brand = z.infer<typeof Brand>;

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

export function officialFor(brands: readonly Brand[], staff: readonly string[]): OfficialConfig {
  return OfficialConfig.parse({
    name: 'Verity Bench',
    brands: brands.map((b) => b.brand),
    domains: brands.map((b) => b.domain),
    handles: {
      telegram: brands.map((b) => `@${b.brand[0]!.toUpperCase()}${b.brand.slice(1)}Support`),
      discord: brands.map((b) => b.brand),
    },
    staffNames: staff,
  });
}

function benignDomains(half: 0 | 1): string[] {
  const { DOMAINS } = z.object({ DOMAINS: z.instanceof(Set) }).parse(require('free-email-domains-list'));
  return [...DOMAINS].filter((d): d is string => typeof d === 'string' && hash(d) % 2 === half);
}

const BaselineResult = z.object({ result: z.boolean(), type: z.string() });

/** eth-phishing-detect's detector with our official domains as its fuzzylist (and allowlist). */
function baseline(domains: readonly string[]): (host: string) => boolean {
  const Detector: unknown = require('eth-phishing-detect/src/detector.js');
  const { tolerance } = z
    .object({ tolerance: z.number() })
    .parse(require('eth-phishing-detect/src/config.json'));
  if (typeof Detector !== 'function') throw new Error('eth-phishing-detect: detector is not a class');
  const detector: unknown = Reflect.construct(Detector, [
    { whitelist: domains, blacklist: [], fuzzylist: domains, tolerance },
  ]);
  const check: unknown =
    typeof detector === 'object' && detector !== null ? Reflect.get(detector, 'check') : undefined;
  if (typeof check !== 'function') throw new Error('eth-phishing-detect: no check()');
  return (host) => BaselineResult.parse(Reflect.apply(check, detector, [host])).result;
}

function ratio(hit: number, total: number, digits = 4): number {
  return total === 0 ? 0 : Math.round((hit / total) * 10 ** digits) / 10 ** digits;
}

interface Accuracy {
  perFamily: Record<string, { n: number; ours: number; baseline?: number }>;
  recall: number;
  handleNameRecall: number;
  baselineRecall: number;
  falsePositiveRate: number;
  baselineFalsePositiveRate: number;
  benign: number;
  handleFalsePositiveRate: number;
  benignHandles: number;
  handleAlarms: string[];
  misses: string[];
  falseAlarms: string[];
}

function accuracy(brands: readonly Brand[], staff: readonly string[], half: 0 | 1, seed: number): Accuracy {
  const official = officialFor(brands, staff);
  const scanner = new TrustScanner(official);
  const base = baseline(official.domains);
  const flaggedDomain = (host: string): boolean =>
    scanner
      .scan(host)
      .some(
        (e) =>
          (e.kind === 'domain' || e.kind === 'url') && (e.verdict === 'lookalike' || e.verdict === 'flagged'),
      );
  const perFamily: Accuracy['perFamily'] = {};
  const misses: string[] = [];
  let hits = 0;
  let baseHits = 0;
  let total = 0;
  for (const [family, hosts] of domainLookalikes(brands, seed)) {
    let ours = 0;
    let theirs = 0;
    for (const host of hosts) {
      if (flaggedDomain(host)) ours++;
      else misses.push(`${family}: ${host}`);
      if (base(host)) theirs++;
    }
    perFamily[family] = {
      n: hosts.length,
      ours: ratio(ours, hosts.length),
      baseline: ratio(theirs, hosts.length),
    };
    hits += ours;
    baseHits += theirs;
    total += hosts.length;
  }
  let accountHits = 0;
  let accountTotal = 0;
  for (const [family, values] of handleLookalikes(brands, staff, seed + 1)) {
    const isName = family.startsWith('name:');
    let ours = 0;
    for (const v of values) {
      const entities = isName ? scanner.scan('', { names: [v] }) : scanner.scan(`contact ${v} now`);
      if (entities.some((e) => e.verdict === 'lookalike' || e.verdict === 'flagged')) ours++;
      else misses.push(`${family}: ${v}`);
    }
    perFamily[family] = { n: values.length, ours: ratio(ours, values.length) };
    accountHits += ours;
    accountTotal += values.length;
  }
  const benign = benignDomains(half);
  const falseAlarms = benign.filter(flaggedDomain);
  const baseAlarms = benign.filter(base).length;
  // Real unrelated names as handles: the first label of each benign domain, e.g. `@gmail`.
  const handles = [
    ...new Set(benign.map((d) => d.split('.')[0]!).filter((l) => /^[a-z][a-z0-9_]{2,31}$/.test(l))),
  ];
  const handleAlarms = handles.filter((h) => scanner.scan(`@${h}`).some((e) => e.verdict === 'lookalike'));
  return {
    handleFalsePositiveRate: ratio(handleAlarms.length, handles.length, 6),
    benignHandles: handles.length,
    handleAlarms,
    perFamily,
    recall: ratio(hits, total),
    handleNameRecall: ratio(accountHits, accountTotal),
    baselineRecall: ratio(baseHits, total),
    falsePositiveRate: ratio(falseAlarms.length, benign.length, 6),
    baselineFalsePositiveRate: ratio(baseAlarms, benign.length, 6),
    benign: benign.length,
    misses,
    falseAlarms,
  };
}

const MESSAGES = [
  'Hi team, I sent 0.25 ETH from my wallet to {addr} two hours ago but it still shows pending in the app. Can you check it for me? I also saw a site {domain} asking me to connect. Thanks!',
  'hello {handle} my withdrawal has been stuck since yesterday, the support at {domain} said to wait 24h but nothing happened, order id 88213, please help me as soon as you can, thank you very much',
  '你好，我昨天在{domain}上充值了500 USDT，到现在还没有到账，客服说要等，请问到底是怎么回事？我的地址是{addr}，谢谢你们的帮助，麻烦尽快帮我处理一下，非常感谢',
  'Is {domain} the real site? Someone called {handle} messaged me and asked me to verify my account, I am not sure if it is legit or not. You can call me back on +44 7700 900123 if that helps',
  'The app keeps crashing when I open the swap page on my phone (android 14). I reinstalled it twice and cleared the cache, still the same problem every time. Version 7.2.1, any idea what to do?',
];

function messages(brands: readonly Brand[], count: number): string[] {
  const r = random(7);
  const hex = (n: number): string =>
    Array.from({ length: n }, () => '0123456789abcdef'[Math.floor(r() * 16)]).join('');
  const lookalikes = [...domainLookalikes(brands, 99).values()].flat();
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const b = pick(brands, r);
    const domain =
      r() < 0.3 ? b.domain : r() < 0.5 ? pick(lookalikes, r) : `shop${Math.floor(r() * 1000)}.example.org`;
    out.push(
      pick(MESSAGES, r)
        .replace('{addr}', `0x${hex(40)}`)
        .replace('{domain}', domain)
        .replace('{handle}', r() < 0.5 ? `@${b.brand}_help` : `@user${Math.floor(r() * 1e5)}`),
    );
  }
  return out;
}

function registryOf(size: number): RegistryIndex {
  const r = random(size);
  const index = new RegistryIndex();
  const kinds = ['domain', 'handle', 'address', 'phone'] as const;
  for (let i = 0; i < size; i++) {
    const kind = kinds[i % kinds.length]!;
    const value =
      kind === 'domain'
        ? `scam-${i}-${Math.floor(r() * 1e6)}.xyz`
        : kind === 'handle'
          ? `fake_${i}`
          : kind === 'address'
            ? `0x${i.toString(16).padStart(40, '0')}`
            : `+4479${String(i).padStart(8, '0')}`;
    index.set({ kind, value, reason: 'bench', by: 'bench', at: 0 });
  }
  return index;
}

/**
 * Messages per second of CPU time on one thread: the machine may be shared, so wall time
 * would measure the neighbours; CPU time of this process is what one core delivers.
 */
function throughput(fn: (text: string) => unknown, corpus: readonly string[], ms = 1500): number {
  for (let i = 0; i < 2000; i++) fn(corpus[i % corpus.length]!);
  let n = 0;
  const start = process.cpuUsage();
  let used = 0;
  while (used < ms * 1000) {
    for (let i = 0; i < 1000; i++) fn(corpus[(n + i) % corpus.length]!);
    n += 1000;
    const c = process.cpuUsage(start);
    used = c.user + c.system;
  }
  return Math.round(n / (used / 1e6));
}

function data(): z.infer<typeof BenchData> {
  return BenchData.parse(JSON.parse(readFileSync(`${root}bench/data/trust-official.json`, 'utf8')));
}

export async function run(options: { tune?: boolean } = {}): Promise<Record<string, number>> {
  const d = data();
  const brands = options.tune ? d.tune : d.test;
  const acc = accuracy(brands, d.staff, options.tune ? 0 : 1, options.tune ? 1 : 2);
  console.log(`family                 n   ours  eth-phishing-detect`);
  for (const [family, f] of Object.entries(acc.perFamily)) {
    console.log(
      `${family.padEnd(20)} ${String(f.n).padStart(4)}  ${f.ours.toFixed(3)}  ${f.baseline === undefined ? '  n/a' : f.baseline.toFixed(3)}`,
    );
  }
  console.log(
    `domain recall ${acc.recall} (baseline ${acc.baselineRecall}); handle/name recall ${acc.handleNameRecall}`,
  );
  console.log(
    `false positives on ${acc.benign} real unrelated domains: ${acc.falseAlarms.length} (${(acc.falsePositiveRate * 100).toFixed(3)} %), baseline ${(acc.baselineFalsePositiveRate * 100).toFixed(3)} %`,
  );
  if (acc.falseAlarms.length > 0) console.log(`  e.g. ${acc.falseAlarms.slice(0, 12).join(', ')}`);
  console.log(
    `false positives on ${acc.benignHandles} real unrelated names used as handles: ${acc.handleAlarms.length} (${(acc.handleFalsePositiveRate * 100).toFixed(3)} %)${acc.handleAlarms.length ? `, e.g. ${acc.handleAlarms.slice(0, 8).join(', ')}` : ''}`,
  );
  if (options.tune) for (const m of acc.misses) console.log(`  miss ${m}`);

  // 100 official entities: 20 brands × (domain, two handles, brand) + 10 staff names + 10 more brands.
  const official = officialFor([...d.test, ...d.tune.slice(0, 10)], d.staff);
  const corpus = messages(d.test, 5000);
  const meanLength = Math.round(corpus.reduce((s, m) => s + m.length, 0) / corpus.length);
  const speed: Record<string, number> = {};
  for (const size of [1_000, 10_000, 100_000]) {
    const scanner = new TrustScanner(official, registryOf(size));
    speed[size] = throughput((t) => scanner.scan(t), corpus);
  }
  const uncached = new TrustScanner(official, registryOf(100_000), { memoLimit: 0 });
  const uncachedPerSec = throughput((t) => uncached.scan(t), corpus);
  const shieldPerSec = throughput(shield, corpus);
  console.log(
    `scan, ${meanLength}-char messages: ${speed[1000]} msg/s with 1k flags, ${speed[10000]} with 10k, ${speed[100000]} with 100k (100k/1k = ${(speed[100000]! / speed[1000]!).toFixed(2)}); without the verdict memo ${uncachedPerSec} with 100k; shield ${shieldPerSec} msg/s (per CPU-second, one thread)`,
  );
  const figures = {
    recall: acc.recall,
    falsePositiveRate: acc.falsePositiveRate,
    baselineRecall: acc.baselineRecall,
    baselineFalsePositiveRate: acc.baselineFalsePositiveRate,
    handleNameRecall: acc.handleNameRecall,
    handleFalsePositiveRate: acc.handleFalsePositiveRate,
    msgPerSec1k: speed[1000]!,
    msgPerSec10k: speed[10000]!,
    msgPerSec100k: speed[100000]!,
    msgPerSec100kNoMemo: uncachedPerSec,
    shieldMsgPerSec: shieldPerSec,
  };
  console.log(JSON.stringify({ bench: 'trust', ...figures }));
  return figures;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await run({ tune: process.argv.includes('--tune') });
}
