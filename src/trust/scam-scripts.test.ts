import { describe, expect, it } from 'vitest';
import { findScamScripts } from './scam-scripts.ts';

describe('scam scripts', () => {
  it.each([
    ['DM me for support, I can fix it', 'dm-for-support'],
    ['For help please inbox me', 'dm-for-support'],
    ['You need to validate your wallet at the link', 'validate-wallet'],
    ['Please sync your wallet to receive the refund', 'sync-wallet'],
    ['Airdrop claim is open, claim your free tokens', 'airdrop-claim'],
    ['Call our official customer service number +1 800 000', 'support-number'],
    ['Send me your recovery phrase so I can check', 'secret-request'],
    ['Send 0.1 ETH to this address first to unlock', 'send-funds'],
    ['请联系客服微信：kefu123', 'zh-contact-support'],
    ['您需要验证钱包才能提现', 'zh-validate-wallet'],
    ['点击链接同步钱包', 'zh-sync-wallet'],
    ['空投领取马上开始', 'zh-airdrop'],
    ['请提供您的助记词', 'zh-secret-request'],
    ['官方客服电话 400-000-0000', 'zh-support-number'],
  ])('%s → %s', (text, id) => {
    const found = findScamScripts(text);
    expect(found.map((e) => e.reasons[0])).toEqual(
      expect.arrayContaining([expect.stringContaining(`(${id})`)]),
    );
    expect(found[0]).toMatchObject({ kind: 'script', verdict: 'flagged' });
  });

  it.each([
    'How do I contact support?',
    'My wallet shows zero balance after the update',
    'I want to claim a refund for the fee',
    '我怎么联系客服？',
    '我的钱包余额不对',
    'Can you help me with my order, thanks',
  ])('ordinary message stays clean: %s', (text) => {
    expect(findScamScripts(text)).toEqual([]);
  });
});
