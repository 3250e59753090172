/**
 * Sentences impersonators use, in English and Chinese. A match is a `script` entity:
 * the message itself reads like a known scam, whoever sent it. Patterns stay specific
 * (an instruction plus its bait), so a user asking "how do I contact support?" is not one.
 */
import type { Entity } from '../core/model.ts';

interface Script {
  id: string;
  /** Cheap pre-check: the pattern cannot match unless the lower-cased text holds a word of each group. */
  needs: ReadonlyArray<readonly string[]>;
  pattern: RegExp;
  confidence: 'high' | 'medium';
  /** What the scam is, in words a user understands. */
  why: string;
}

const SCRIPTS: readonly Script[] = [
  {
    id: 'dm-for-support',
    needs: [
      ['dm', 'pm', 'inbox', 'message', 'text', 'contact'],
      ['support', 'help', 'assist', 'solve', 'fix', 'resolve'],
    ],
    pattern:
      /\b(?:dm|pm|inbox|message|text|contact)\s+(?:me|us)\b[^.!?\n]{0,40}?\b(?:support|help|assist\w*|solve|fix|resolve)|\b(?:support|help|assistance)\b[^.!?\n]{0,30}?\b(?:dm|pm|inbox)\s+(?:me|us)\b/iu,
    confidence: 'high',
    why: 'invites you to a private chat for "support"; our team never asks you to DM them first',
  },
  {
    id: 'validate-wallet',
    needs: [
      ['validat', 'verif', 'authentic', 'rectif', 'whitelist', 'reactivat', 'unfreeze'],
      ['wallet', 'seed', 'phrase'],
    ],
    pattern:
      /\b(?:validate|verify|authenticate|rectify|whitelist|revalidate|reactivate|unfreeze)\s+(?:your\s+|the\s+)?(?:wallet|seed|recovery\s+phrase|account\s+phrase)/iu,
    confidence: 'high',
    why: 'asks you to "validate" a wallet; no real service needs that',
  },
  {
    id: 'sync-wallet',
    needs: [['sync', 'migrat', 'restor', 'import'], ['wallet']],
    pattern: /\b(?:sync|synchroni[sz]e|re-?sync|migrate|restore|import)\s+(?:your\s+|the\s+)?wallet/iu,
    confidence: 'high',
    why: 'asks you to "sync" or "restore" a wallet on another site, which hands it to the thief',
  },
  {
    id: 'airdrop-claim',
    needs: [['airdrop', 'claim']],
    pattern:
      /\b(?:claim\s+(?:your\s+)?(?:free\s+)?(?:airdrop|reward|bonus|allocation|tokens?)|airdrop\s+(?:claim|is\s+live))/iu,
    confidence: 'medium',
    why: 'promises an airdrop to claim; fake airdrops drain the wallet that connects',
  },
  {
    id: 'support-number',
    needs: [['number', 'hotline', 'helpline']],
    pattern:
      /\b(?:official\s+)?(?:customer\s+(?:service|support|care)|support|help)\s+(?:phone\s+)?(?:number|hotline|helpline)\b/iu,
    confidence: 'medium',
    why: 'advertises a "customer service number"; check it against the official list before calling',
  },
  {
    id: 'secret-request',
    needs: [
      ['phrase', 'word', 'private'],
      ['send', 'share', 'enter', 'provide', 'type', 'give', 'tell'],
    ],
    pattern:
      /\b(?:send|share|enter|provide|type|give|tell)\s+(?:me\s+|us\s+)?(?:your\s+)?(?:seed|recovery|secret|mnemonic|backup)\s*(?:phrase|words?)|\b(?:send|share|enter|provide|give)\s+(?:me\s+|us\s+)?(?:your\s+)?private\s+key/iu,
    confidence: 'high',
    why: 'asks for your recovery phrase or private key; anyone who asks is stealing',
  },
  {
    id: 'send-funds',
    needs: [['double', 'send']],
    pattern:
      /\b(?:double\s+your\s+(?:crypto|btc|eth|usdt|money)|send\s+(?:\d+(?:\.\d+)?\s*)?(?:eth|btc|usdt|trx|bnb|funds|crypto)\s+(?:to\s+(?:this|our|the)\s+(?:address|wallet)|first))/iu,
    confidence: 'high',
    why: 'asks you to send funds first; we never ask you to send funds',
  },
  {
    id: 'zh-contact-support',
    needs: [['客服', '私聊', '私信']],
    pattern:
      /(?:联系|咨询|添加|加)(?:在线|官方|人工)?客服(?:\s*[:：]|.{0,6}(?:微信|电话|QQ|私聊|私信|号|链接|点击))|(?:私聊|私信)(?:我|客服)/u,
    confidence: 'high',
    why: '让你私下联系“客服”（invites you to a private "customer service" contact）；官方不会主动私信',
  },
  {
    id: 'zh-validate-wallet',
    needs: [['钱包']],
    pattern: /(?:验证|认证|激活|解冻|授权)(?:你的|您的)?钱包|钱包(?:验证|认证|激活|解冻)/u,
    confidence: 'high',
    why: '要求“验证钱包”（asks you to validate a wallet）',
  },
  {
    id: 'zh-sync-wallet',
    needs: [['钱包']],
    pattern: /(?:同步|迁移|导入|恢复)(?:你的|您的)?钱包|钱包(?:同步|迁移)/u,
    confidence: 'high',
    why: '要求“同步钱包”（asks you to sync a wallet）',
  },
  {
    id: 'zh-airdrop',
    needs: [['空投']],
    pattern: /空投领取|领取(?:免费)?空投|空投.{0,4}(?:已开放|开启|领取)/u,
    confidence: 'medium',
    why: '“空投领取”是常见骗局（fake airdrop claim）',
  },
  {
    id: 'zh-secret-request',
    needs: [['助记词', '私钥', '恢复短语']],
    pattern: /(?:发送|提供|输入|告诉|发给|填写).{0,6}(?:助记词|私钥|恢复短语)/u,
    confidence: 'high',
    why: '索要助记词或私钥（asks for your recovery phrase or private key）',
  },
  {
    id: 'zh-support-number',
    needs: [['客服']],
    pattern: /(?:官方)?客服(?:电话|热线|号码)/u,
    confidence: 'medium',
    why: '“官方客服电话”请先与官方列表核对（check any "official number" against the official list）',
  },
];

/** Every known scam script in `text`, one entity per script. */
export function findScamScripts(text: string): Entity[] {
  const out: Entity[] = [];
  const lower = text.toLowerCase();
  for (const s of SCRIPTS) {
    if (!s.needs.every((group) => group.some((word) => lower.includes(word)))) continue;
    const m = s.pattern.exec(text);
    if (!m) continue;
    out.push({
      kind: 'script',
      value: m[0].trim().slice(0, 120),
      verdict: 'flagged',
      confidence: s.confidence,
      reasons: [`sounds like a known scam (${s.id}): ${s.why}`],
    });
  }
  return out;
}
