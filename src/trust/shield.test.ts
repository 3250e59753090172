import { entropyToMnemonic, generateMnemonic } from '@scure/bip39';
import { wordlist as english } from '@scure/bip39/wordlists/english.js';
import { wordlist as japanese } from '@scure/bip39/wordlists/japanese.js';
import { wordlist as simplified } from '@scure/bip39/wordlists/simplified-chinese.js';
import { wordlist as spanish } from '@scure/bip39/wordlists/spanish.js';
import { wordlist as traditional } from '@scure/bip39/wordlists/traditional-chinese.js';
import { describe, expect, it } from 'vitest';
import { base58CheckEncode } from './checksums.ts';
import { shield } from './shield.ts';

const en12 = generateMnemonic(english);
const en24 = generateMnemonic(english, 256);
// Fixed entropy for Chinese: the unspaced rule misses ~0.1 % of random phrases by design,
// and a test must not depend on the draw.
const entropy = (seed: number) => Uint8Array.from({ length: 16 }, (_, i) => (i * 73 + seed) & 255);
const zh12 = entropyToMnemonic(entropy(41), simplified);
const zht12 = entropyToMnemonic(entropy(97), traditional);

describe('recovery phrases', () => {
  const spaced = (phrase: string, sep: string) => phrase.split(' ').join(sep);
  it.each([
    ['12 English words', 'xyzzy: ', en12, ' xyzzy'],
    ['24 English words', 'qqq ', en24, ' qqq?'],
    ['extra spaces and newlines', '', spaced(en12, '   \n '), ''],
    [
      'numbered',
      '1. ',
      en12
        .split(' ')
        .map((w, i) => (i === 0 ? w : `${i + 1}. ${w}`))
        .join(' '),
      '',
    ],
    [
      'numbered with parentheses, one per line',
      '1) ',
      en12
        .split(' ')
        .map((w, i) => (i === 0 ? w : `${i + 1}) ${w}`))
        .join('\n'),
      '',
    ],
    ['commas', '', spaced(en12, ', '), ''],
    ['capitalized', 'XYZZY ', en12.toUpperCase(), ''],
    ['Spanish', '', generateMnemonic(spanish), ''],
    ['Japanese with ideographic spaces', '', generateMnemonic(japanese), ''],
    ['simplified Chinese, spaced', 'mnemonic: ', zh12, ''],
    ['traditional Chinese, spaced', '', zht12, ''],
  ])('%s', (_case, prefix, phrase, suffix) => {
    const out = shield(`${prefix}${phrase}${suffix}`);
    expect(out.text).toBe(`${prefix}[redacted: recovery phrase]${suffix}`);
    expect(out.redactions).toEqual([{ kind: 'seed-phrase', length: phrase.length }]);
  });

  it('simplified and traditional Chinese without spaces, inside a sentence', () => {
    for (const phrase of [zh12, zht12]) {
      const glued = phrase.replace(/ /g, '');
      const out = shield(`我的助记词是：${glued}，请帮我找回钱包`);
      expect(out.text).toBe('我的助记词是：[redacted: recovery phrase]，请帮我找回钱包');
    }
    expect(shield(`助记词 ${zh12.replace(/ /g, '')}`).text).toBe('助记词 [redacted: recovery phrase]');
  });

  it('leaves ordinary text with a few wordlist words alone', () => {
    for (const text of [
      'I am able to see the abandon ability above but the account is about to expire',
      'Please help, my wallet balance is zero after the swap and the token is gone',
      '我的钱包余额不见了，请帮我看一下这个问题是什么原因造成的，谢谢你们的帮助和支持',
      '我们的产品在中国市场上有很大的发展空间，这是一个非常好的机会，大家一起努力工作吧',
      'abandon ability able about above absent absorb abstract absurd abuse access',
      '网络手续费低于当前网络接受的水平时，交易会一直处于待确认。',
      '提现手续费用于支付网络费用，确认前会显示：例如 TRC20 的 USDT 约 1 USDT，ERC20 视 gas 约 3–10 USDT。',
      '提示：App 密码不是助记词。如果自托管钱包的助记词丢失，任何人（包括我们）都无法恢复。',
      '向您索要助记词的人就是骗子：我们绝不会索要助记词、私钥，也没有所谓的“钱包验证”。',
      '同义词：提现, 提币, 取款, 出金, 体现, 提款, 转出, 充值, 充币, 入金, 存款, 转入, 到账',
    ]) {
      expect(shield(text)).toEqual({ text, redactions: [] });
    }
  });
});

describe('private keys and passwords', () => {
  const hex = 'e8f32e723decf4051aefac8e2c93c9c5b214313817cdb01a1494b917c8436b35';

  it('redacts hex keys with and without 0x, WIF and extended private keys', () => {
    const wif = base58CheckEncode(Uint8Array.from([0x80, ...Buffer.from(hex, 'hex'), 0x01]));
    const xprv =
      'xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi';
    for (const secret of [hex, `0x${hex}`, wif, xprv]) {
      const out = shield(`my key is ${secret} please help`);
      expect(out).toEqual({
        text: 'my key is [redacted: private key] please help',
        redactions: [{ kind: 'private-key', length: secret.length }],
      });
    }
  });

  it('keeps transaction hashes, which users paste to support', () => {
    for (const text of [`tx hash: 0x${hex}`, `https://etherscan.io/tx/0x${hex}`, `交易哈希 ${hex}`]) {
      expect(shield(text).redactions).toEqual([]);
    }
  });

  it('redacts passwords in English and Chinese', () => {
    expect(shield('my password is hunter22!').text).toBe('my password is [redacted: password]');
    expect(shield('密码：abc12345').text).toBe('密码：[redacted: password]');
    expect(shield('the password reset did not work').redactions).toEqual([]);
    expect(shield('your app password is not your recovery phrase').redactions).toEqual([]);
    expect(shield('make sure no password is visible.').redactions).toEqual([]);
    expect(shield('password: hunter2.').text).toBe('password: [redacted: password].');
    expect(shield('my password is Sunshine7').text).toBe('my password is [redacted: password]');
  });

  it('handles mixed texts with several secrets', () => {
    const text = `wallet 1: ${en12}\nwallet 2 key 0x${hex}\npassword: s3cret!!`;
    const out = shield(text);
    expect(out.redactions.map((r) => r.kind)).toEqual(['seed-phrase', 'private-key', 'password']);
    expect(out.text).toBe(
      'wallet 1: [redacted: recovery phrase]\nwallet 2 key [redacted: private key]\npassword: [redacted: password]',
    );
  });
});
