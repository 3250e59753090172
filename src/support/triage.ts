/**
 * Category and priority of a conversation, from the user's words, the knowledge-base
 * match and what the trust layer found. Anything that smells of stolen funds, a
 * compromised account or a leaked secret is urgent (it skips the queue); a false alarm
 * costs an agent a minute, a missed one costs a user their savings.
 */
import type { Priority } from '../core/model.ts';
import type { Category } from './kb/load.ts';
import type { MatchResult } from './kb/matcher.ts';

/** Plain findings of the trust layer for this message or conversation. */
export interface TrustFlags {
  /** A recovery phrase, private key or password was sent (and redacted). */
  secretLeaked?: boolean;
  /** The user mentions a flagged or lookalike entity (site, handle, address). */
  scamEntity?: boolean;
  /** The text follows a scam script ("validate your wallet", "send to unlock"). */
  scamScript?: boolean;
}

export type UrgentReason = 'stolen-funds' | 'compromised-account' | 'leaked-secret';
export type TriageReason = UrgentReason | 'scam-contact' | 'kb-match' | 'keywords' | 'default';

export interface Triage {
  category: Category;
  priority: Priority;
  reasons: TriageReason[];
}

const URGENT: ReadonlyArray<[UrgentReason, RegExp]> = [
  [
    'stolen-funds',
    /\b(stolen|stole|steal|drained|theft|hacked|hack(?:er|ing))\b|unauthori[sz]ed (withdraw|transfer|transaction)|(withdraw\w*|transfer\w*|transaction)\s+(that\s+)?i (did not|didn'?t|never) (make|do|authori[sz]e)|(funds?|money|coins?|crypto|balance|usdt|eth|btc)\s+(is |are |were |was )?(all )?(gone|disappeared|missing)|被盗|盗走|被偷|被黑|盗币|被转走|被人转|资产(丢失|没了|不见)|币(全)?没了|钱(全)?没了|钱包.{0,4}空了|不是我(本人)?(操作|转)/i,
  ],
  [
    'compromised-account',
    /(someone|somebody|stranger|hacker)\s+(else\s+)?(logged|log|signed|got) ?in(to)?\b|login (alert|notification) .{0,30}(not me|wasn'?t me|didn'?t)|account (was |is |got |has been )?(hacked|compromised|taken over)|changed my (e-?mail|password|2fa) .{0,20}(not me|wasn'?t me)|not me\b.{0,30}log|异地登录|陌生设备|被人登录|别人登录|盗号|账号被盗|账户被盗|帐号被盗|被改了(密码|邮箱)|(密码|邮箱)被(人)?改/i,
  ],
  [
    'leaked-secret',
    /(gave|sent|shared|told|typed|entered|posted|leaked|showed|pasted)\s+(\w+\s+){0,4}(seed|recovery|secret|mnemonic|private key|12 words|24 words)|(seed|recovery) phrase (was |is |got )?(leaked|exposed|stolen|compromised)|private key (was |is |got )?(leaked|exposed|stolen)|助记词.{0,8}(泄露|告诉|发给|给了|输入|被人|看到)|(泄露|告诉|发给|给了|输入).{0,8}(助记词|私钥)|私钥.{0,6}(泄露|被人|发给|给了)/i,
  ],
];

/** Words that place a message in a category when the knowledge base has no confident match. */
const CATEGORY_WORDS: ReadonlyArray<[Category, RegExp]> = [
  ['security', /scam|phishing|fake|impersonat|fraud|骗|钓鱼|冒充|假客服|假冒/i],
  ['deposit-withdrawal', /deposit|withdraw|cash ?out|payout|充值|充币|提现|提币|取款|体现|到账/i],
  [
    'transaction',
    /transaction|\btx\b|txid|hash|pending|stuck|confirm|wrong (network|chain|address)|交易|转账|哈希|卡住|确认|转错/i,
  ],
  ['kyc', /\bkyc\b|verif(y|ication) (my )?identity|passport|selfie|实名|身份认证|证件|护照|人脸/i],
  ['fees', /\bfees?\b|\bgas\b|commission|手续费|矿工费|费用|费率/i],
  [
    'account',
    /log ?in|sign ?in|password|2fa|authenticator|locked|frozen|account|登录|密码|验证器|锁|冻结|账户|账号/i,
  ],
  ['technical', /\bapp\b|crash|error|bug|sync|update|install|闪退|报错|错误|同步|更新|打不开/i],
  ['contact', /contact|human|agent|support|official|客服|人工|官方|联系/i],
];

const BASE_PRIORITY: Record<Category, Priority> = {
  security: 'high',
  'deposit-withdrawal': 'normal',
  transaction: 'normal',
  account: 'normal',
  kyc: 'normal',
  technical: 'normal',
  fees: 'low',
  contact: 'low',
};

export function urgentReasons(text: string, flags: TrustFlags = {}): UrgentReason[] {
  const reasons: UrgentReason[] = URGENT.filter(([, re]) => re.test(text)).map(([reason]) => reason);
  if (flags.secretLeaked && !reasons.includes('leaked-secret')) reasons.push('leaked-secret');
  return reasons;
}

export function triage(text: string, match?: MatchResult | null, flags: TrustFlags = {}): Triage {
  const urgent = urgentReasons(text, flags);
  if (urgent.length > 0) {
    return { category: 'security', priority: 'urgent', reasons: urgent };
  }
  if (flags.scamEntity || flags.scamScript) {
    return { category: 'security', priority: 'high', reasons: ['scam-contact'] };
  }
  const matched = match?.answer ?? match?.candidates[0];
  if (matched)
    return { category: matched.category, priority: BASE_PRIORITY[matched.category], reasons: ['kb-match'] };
  const byWords = CATEGORY_WORDS.find(([, re]) => re.test(text));
  if (byWords) return { category: byWords[0], priority: BASE_PRIORITY[byWords[0]], reasons: ['keywords'] };
  return { category: 'contact', priority: 'normal', reasons: ['default'] };
}

/** Two triages of one conversation: the stronger priority wins, the category of the stronger. */
export function escalate(previous: Triage, next: Triage): Triage {
  const rank: Record<Priority, number> = { low: 0, normal: 1, high: 2, urgent: 3 };
  return rank[next.priority] > rank[previous.priority] ? next : previous;
}
