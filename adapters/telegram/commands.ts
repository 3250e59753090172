/**
 * The command menu Telegram shows beside the input field, per language. Registered at
 * start; a language missing here falls back to Telegram's default menu (the first
 * configured language).
 */
export interface MenuCommand {
  command: string;
  description: string;
}

const NAMES = [
  'start',
  'help',
  'verify',
  'check',
  'human',
  'ticket',
  'report',
  'transcript',
  'lang',
] as const;
type CommandName = (typeof NAMES)[number];

export const COMMAND_MENUS: Readonly<Record<string, Readonly<Record<CommandName, string>>>> = {
  en: {
    start: 'Start a conversation with support',
    help: 'What this bot can do',
    verify: 'Check that an account, link or address is really ours',
    check: 'Check a link, wallet address or handle',
    human: 'Talk to a person',
    ticket: 'Open a support ticket',
    report: 'Report an impersonator or a scam',
    transcript: 'Get a copy of this conversation',
    lang: 'Change the language',
  },
  zh: {
    start: '开始联系客服',
    help: '机器人能做什么',
    verify: '验证账号、链接或地址是否为官方所有',
    check: '检查链接、钱包地址或用户名',
    human: '转人工客服',
    ticket: '提交工单',
    report: '举报冒充者或诈骗',
    transcript: '获取本次对话记录',
    lang: '切换语言',
  },
};

/** The menu for a language (its primary subtag), or undefined when there is no text for it. */
export function commandMenu(language: string): MenuCommand[] | undefined {
  const texts = COMMAND_MENUS[language.split('-')[0] ?? language];
  if (!texts) return undefined;
  return NAMES.map((command) => ({ command, description: texts[command] }));
}
