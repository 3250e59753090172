/**
 * Turning a message into match terms, the same way for articles and for users so both
 * sides meet. Latin text becomes light-stemmed words; Chinese (no spaces) becomes
 * character bigrams, which need no segmenter and survive unusual word boundaries.
 * Synonym phrases in either script collapse into one shared concept term (`~n`), which
 * also lets a Chinese question meet an English keyword and the reverse.
 */

const HAN = /\p{Script=Han}/u;
const SEGMENT = /\p{Script=Han}+|(?:(?!\p{Script=Han})[\p{L}\p{N}])+/gu;

/** Traditional forms common in support questions, folded to the simplified ones the KB uses. */
const TRADITIONAL =
  '帳账號号錢钱幣币轉转戶户碼码證证驗验實实認认費费網网絡络鏈链額额資资產产詐诈騙骗盜盗廳厅開开關关設设機机應应時时間间誤误這这個个麼么沒没還还為为從从對对書书與与嗎吗請请問问給给將将過过後后體体現现擊击險险處处單单級级細细碼码換换紀纪錄录傳传輸输發发鎖锁幾几裡里該该讓让說说識识護护註注冊册顯显聯联態态賬账寶宝鑰钥記记詞词權权釣钓魚鱼錯错種种協协議议儲储幫帮難难題题門门們们裝装載载線线動动掛挂買买賣卖價价圖图頁页風风務务電电話话郵邮臉脸麗丽損损檢检測测達达歸归';
const FOLD = new Map<string, string>();
for (let i = 0; i + 1 < TRADITIONAL.length; i += 2) FOLD.set(TRADITIONAL[i]!, TRADITIONAL[i + 1]!);

const EN_STOP = new Set(
  (
    'a an the i me my mine we our you your yours he she it its they them their this that these those ' +
    'is am are was were be been being do does did doing have has had having can could would should will shall ' +
    'may might must to of in on at by for with from into onto about as and or but if so than then there here ' +
    'what which who whom when where how just please hi hello hey thanks thank any some all also very ' +
    'get got im ive still yet now want need know help anyone someone again much many one s t'
  ).split(' '),
);

/** Negated contractions all mean "not": "didn't arrive" and "not arrived" must meet. */
const NEGATION = new Set(
  'dont didnt doesnt cant cannot couldnt wont isnt arent wasnt werent hasnt havent hadnt never no'.split(' '),
);

/** Particles removed from Chinese before anything else, so "选错了链" meets "选错链". */
const ZH_PARTICLES = /[的了吗呢吧啊呀哦嘛]/gu;

/** Filler that carries no meaning in a support question; cut out before bigrams are formed. */
const ZH_STOP = [
  '你好',
  '您好',
  '请问',
  '一下',
  '谢谢',
  '麻烦',
  '怎么办',
  '怎么',
  '如何',
  '什么',
  '可以',
  '能不能',
  '是不是',
  '我们',
  '你们',
  '我',
  '你',
];

export function normalize(text: string): string {
  let out = '';
  for (const ch of text.normalize('NFKC').toLowerCase().replace(/['’`]/g, '')) out += FOLD.get(ch) ?? ch;
  return out;
}

export function isHan(text: string): boolean {
  return HAN.test(text);
}

/** A small suffix stripper: it only has to be consistent between the KB and the user. */
export function stem(word: string): string {
  let w = word;
  if (w.length > 4 && w.endsWith('ies')) w = `${w.slice(0, -3)}y`;
  else if (w.endsWith('sses')) w = w.slice(0, -2);
  else if (w.length > 3 && w.endsWith('s') && !w.endsWith('ss') && !w.endsWith('us')) w = w.slice(0, -1);
  if (w.length > 5 && w.endsWith('ing')) w = w.slice(0, -3);
  else if (w.length > 4 && w.endsWith('ed')) w = w.slice(0, -2);
  if (w.length > 3 && /([b-df-hj-km-np-rtv-z])\1$/.test(w)) w = w.slice(0, -1);
  if (w.length > 3 && w.endsWith('e')) w = w.slice(0, -1);
  return w;
}

/** A piece of normalized text: a Latin word (stemmed) or a run of Chinese characters. */
export type Piece = { kind: 'word'; value: string } | { kind: 'han'; value: string };

export function pieces(text: string): Piece[] {
  const out: Piece[] = [];
  for (const m of normalize(text).matchAll(SEGMENT)) {
    const seg = m[0];
    if (isHan(seg)) {
      const han = seg.replace(ZH_PARTICLES, '');
      if (han) out.push({ kind: 'han', value: han });
    } else if (NEGATION.has(seg)) out.push({ kind: 'word', value: 'not' });
    else if (!EN_STOP.has(seg)) out.push({ kind: 'word', value: stem(seg) });
  }
  return out;
}

/** The Latin words of a text as they are matched (for building vocabularies). */
export function words(text: string): string[] {
  return pieces(text).flatMap((p) => (p.kind === 'word' ? [p.value] : []));
}

/**
 * Synonym phrases, indexed for greedy longest-match: Latin phrases as sequences of stemmed
 * words, Chinese phrases as character strings.
 */
export class SynonymTable {
  private readonly latin = new Map<string, string>();
  private readonly han = new Map<string, string>();
  private maxWords = 1;
  private maxHan = 1;

  constructor(groups: readonly (readonly string[])[]) {
    groups.forEach((group, i) => {
      const concept = `~${i}`;
      for (const phrase of group) {
        if (isHan(phrase)) {
          const key = normalize(phrase).replace(/\s+/g, '');
          this.han.set(key, concept);
          this.maxHan = Math.max(this.maxHan, key.length);
        } else {
          const ws = words(phrase);
          if (ws.length === 0) continue;
          this.latin.set(ws.join(' '), concept);
          this.maxWords = Math.max(this.maxWords, ws.length);
        }
      }
    });
  }

  /** Latin words that appear in some synonym phrase (part of the typo-correction vocabulary). */
  latinWords(): string[] {
    return [...this.latin.keys()].flatMap((k) => k.split(' '));
  }

  /** Replaces synonym phrases among consecutive words; returns terms. */
  mapWords(ws: readonly string[]): string[] {
    const out: string[] = [];
    for (let i = 0; i < ws.length; ) {
      let matched = 0;
      for (let n = Math.min(this.maxWords, ws.length - i); n >= 1 && matched === 0; n--) {
        const concept = this.latin.get(ws.slice(i, i + n).join(' '));
        if (concept) {
          out.push(concept);
          matched = n;
        }
      }
      if (matched === 0) out.push(ws[i]!);
      i += matched || 1;
    }
    return out;
  }

  /** Splits a Chinese run into concept terms and the leftover fragments (stop words cut out). */
  mapHan(run: string): { concepts: string[]; rest: string[] } {
    const concepts: string[] = [];
    const rest: string[] = [];
    let frag = '';
    for (let i = 0; i < run.length; ) {
      let taken = 0;
      for (let n = Math.min(this.maxHan, run.length - i); n >= 1 && taken === 0; n--) {
        const concept = this.han.get(run.slice(i, i + n));
        if (concept) {
          concepts.push(concept);
          taken = n;
        }
      }
      if (taken === 0) {
        const stop = ZH_STOP.find((s) => run.startsWith(s, i));
        if (stop) taken = stop.length;
      }
      if (taken > 0) {
        if (frag) rest.push(frag);
        frag = '';
        i += taken;
      } else {
        frag += run[i];
        i += 1;
      }
    }
    if (frag) rest.push(frag);
    return { concepts, rest };
  }
}

/** Character bigrams of a Chinese fragment; a lone character stands for itself. */
export function hanTerms(fragment: string): string[] {
  if (fragment.length === 1) return [fragment];
  const out: string[] = [];
  for (let i = 0; i + 1 < fragment.length; i++) out.push(fragment.slice(i, i + 2));
  return out;
}
