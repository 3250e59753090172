/**
 * Words impersonators attach to a brand (`brand-support`, `verify-brand`, `Brand 客服`).
 * A brand plus only these words is a high-confidence lookalike; a brand plus other
 * words is only medium, because real unrelated names contain brands too.
 */
export const BAIT_WORDS: ReadonlySet<string> = new Set([
  // support and staff
  'support',
  'supp',
  'suport',
  'help',
  'helpdesk',
  'desk',
  'service',
  'services',
  'care',
  'customer',
  'customercare',
  'official',
  'team',
  'admin',
  'admins',
  'mod',
  'mods',
  'moderator',
  'staff',
  'agent',
  'ps',
  'cs',
  'hq',
  'live',
  'chat',
  'contact',
  'center',
  'centre',
  'hub',
  'portal',
  'info',
  'bot',
  // account and wallet actions
  'verify',
  'verification',
  'validate',
  'validation',
  'secure',
  'security',
  'safe',
  'login',
  'signin',
  'auth',
  'account',
  'wallet',
  'wallets',
  'connect',
  'sync',
  'restore',
  'recovery',
  'recover',
  'unlock',
  'fix',
  'rectify',
  'update',
  'upgrade',
  'migrate',
  'migration',
  'kyc',
  'refund',
  'dashboard',
  // money bait
  'claim',
  'airdrop',
  'airdrops',
  'drop',
  'reward',
  'rewards',
  'bonus',
  'gift',
  'promo',
  'giveaway',
  'event',
  'mint',
  'nft',
  'token',
  'tokens',
  'swap',
  'bridge',
  'stake',
  'staking',
  'defi',
  'dapp',
  'app',
  'apps',
  'web',
  'online',
  'pro',
  'vip',
  'global',
  'network',
  'exchange',
  'pay',
  'io',
  'com',
  'net',
  'org',
  'us',
  'my',
  'get',
  'the',
  'go',
  'real',
  'new',
  'en',
  'cn',
  'zh',
  'x',
  // Chinese
  '客服',
  '官方',
  '支持',
  '服务',
  '管理员',
  '管理',
  '团队',
  '验证',
  '钱包',
  '空投',
  '领取',
  '中心',
  '在线',
  '助手',
  '小助手',
  '中文',
  '人工',
  '热线',
  '技术',
  '售后',
]);

const LENGTHS = [...new Set([...BAIT_WORDS].map((w) => w.length))].sort((a, b) => b - a);

/** True when `text` is a concatenation of bait words (the empty string included). */
export function isBaitWords(text: string): boolean {
  const ok: boolean[] = new Array<boolean>(text.length + 1).fill(false);
  ok[0] = true;
  for (let end = 1; end <= text.length; end++) {
    for (const len of LENGTHS) {
      if (len <= end && ok[end - len] && BAIT_WORDS.has(text.slice(end - len, end))) {
        ok[end] = true;
        break;
      }
    }
  }
  return ok[text.length] ?? false;
}

/** `text` with one leading or trailing bait word removed, every way that is possible. */
export function stripBaitWords(text: string): Array<{ rest: string; word: string }> {
  const out: Array<{ rest: string; word: string }> = [];
  for (const len of LENGTHS) {
    if (len >= text.length) continue;
    const head = text.slice(0, len);
    if (BAIT_WORDS.has(head)) out.push({ rest: text.slice(len), word: head });
    const tail = text.slice(text.length - len);
    if (BAIT_WORDS.has(tail)) out.push({ rest: text.slice(0, text.length - len), word: tail });
  }
  return out;
}
