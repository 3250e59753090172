/**
 * /transcript: the user's copy of this conversation from the stored messages (secrets were
 * redacted before they were stored; agents' notes and system entries are left out), in
 * the user's language and their team's time zone, split to fit a platform message.
 */
import type { Message } from '../../core/model.ts';
import type { RouterContext } from '../../router/context.ts';
import { transcriptChunks } from '../transcript.ts';
import type { Flow } from './flow.ts';

const PAGE = 500;
/** More than this is an export for an agent to send, not a chat message. */
const MAX_MESSAGES = 2000;

export async function sendTranscript(flow: Flow, ctx: RouterContext): Promise<void> {
  const c = ctx.conversation;
  if (!c) return;
  const messages: Message[] = [];
  let before: number | undefined;
  while (messages.length < MAX_MESSAGES) {
    const page = await ctx.store.history(c.id, { limit: PAGE, ...(before ? { before } : {}) });
    messages.push(...page);
    const oldest = page.at(-1);
    if (page.length < PAGE || !oldest || oldest.seq <= 1) break;
    before = oldest.seq;
  }
  messages.reverse();
  const team = c.team ?? flow.config.defaultTeam;
  const timeZone = flow.config.teams[team]?.hours.timezone ?? 'UTC';
  const chunks = transcriptChunks(
    flow.t,
    { ticket: c.ticket ?? c.id, messages: messages.filter((m) => m.seq !== ctx.message?.seq), timeZone },
    flow.language(ctx),
  );
  for (const text of chunks) ctx.reply(text);
}
