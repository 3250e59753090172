/**
 * The verification message: where the user is, every official account, the promises, and
 * a code bound to its holder (a user, or a group for the scheduled messages in groups).
 */
import type { OfficialConfig } from '../config/sections/official.ts';
import type { Reply } from '../router/context.ts';
import { verificationReply } from '../support/replies.ts';
import type { Templates } from '../support/templates.ts';
import type { CodeHolder, CodeLedger } from '../trust/codes.ts';

export const CHANNEL_NAMES: Record<string, string> = {
  telegram: 'Telegram',
  discord: 'Discord',
  wechat: 'WeChat',
};

/** A group's holder id: a code issued to a group verifies for whoever asks in that group. */
export const groupHolder = (channel: string, threadKey: string): CodeHolder => ({
  channel,
  userId: `group:${threadKey}`,
});

export interface VerificationDeps {
  organization: string;
  official: OfficialConfig;
  templates: Templates;
  ledger: CodeLedger;
}

export async function verificationMessage(
  deps: VerificationDeps,
  holder: CodeHolder,
  language: string,
): Promise<Reply> {
  const { code } = await deps.ledger.issue(holder);
  const accounts = Object.entries(deps.official.handles).flatMap(([channel, handles]) =>
    handles.map((handle) => ({ channel: CHANNEL_NAMES[channel] ?? channel, handle })),
  );
  const reply = verificationReply(
    deps.templates,
    {
      org: deps.organization,
      where: CHANNEL_NAMES[holder.channel] ?? holder.channel,
      accounts,
      promises: deps.official.promises,
      code,
      checkUrl: `/verify ${code}`,
    },
    language,
  );
  return { ...reply, style: 'verification' };
}
