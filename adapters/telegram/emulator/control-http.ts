/**
 * The control API over HTTP, for the sandbox (a page or curl plays the users):
 * `POST /control/<action>` with a JSON body, answered `{ok, result}`. Each body is
 * validated; an unknown user or chat is an error, not a crash.
 */
import { z } from 'zod';
import type { TelegramEmulator } from './emulator.ts';
import type { MessageInput } from './inject.ts';
import type { TgChat, TgUser } from './types.ts';

const Id = z.number().int();
const UserFields = z.object({
  first_name: z.string().min(1).max(64),
  last_name: z.string().max(64).optional(),
  username: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9_]{3,31}$/)
    .optional(),
  language_code: z.string().max(35).optional(),
});
const Media = z.object({
  kind: z.enum(['photo', 'document', 'voice', 'video', 'audio', 'sticker']),
  base64: z.string().optional(),
  mimeType: z.string().optional(),
  name: z.string().optional(),
});
const MessageFields = z.object({
  text: z.string().optional(),
  caption: z.string().optional(),
  media: Media.optional(),
  replyTo: Id.optional(),
  threadId: Id.optional(),
  forwardFromUserId: Id.optional(),
  mediaGroupId: z.string().min(1).max(64).optional(),
});

/** Drops undefined fields, which optional zod fields produce and the control methods refuse. */
function defined<T extends object>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}

interface ControlAction {
  handle(emu: TelegramEmulator, body: unknown): unknown;
}

function action<S extends z.ZodType>(
  schema: S,
  run: (emu: TelegramEmulator, input: z.infer<S>) => unknown,
): ControlAction {
  return {
    handle(emu, body) {
      const parsed = schema.safeParse(body);
      if (!parsed.success) throw new Error(z.prettifyError(parsed.error));
      return run(emu, parsed.data);
    },
  };
}

function user(emu: TelegramEmulator, id: number): TgUser {
  const found = emu.world.users.get(id);
  if (!found) throw new Error(`no user ${id}`);
  return found;
}

function chat(emu: TelegramEmulator, id: number): TgChat {
  const found = emu.world.chat(id);
  if (!found) throw new Error(`no chat ${id}`);
  return found;
}

function messageInput(emu: TelegramEmulator, fields: z.infer<typeof MessageFields>): MessageInput {
  const { media, forwardFromUserId, ...rest } = fields;
  const input: MessageInput = defined(rest);
  if (forwardFromUserId !== undefined) input.forwardFrom = user(emu, forwardFromUserId);
  if (media) {
    const { base64, ...meta } = media;
    input.media = {
      ...defined(meta),
      kind: media.kind,
      ...(base64 !== undefined ? { bytes: Buffer.from(base64, 'base64') } : {}),
    };
  }
  return input;
}

const ids = (r: { update: { update_id: number }; message: { message_id: number } }) => ({
  updateId: r.update.update_id,
  messageId: r.message.message_id,
});

const ACTIONS: Readonly<Record<string, ControlAction>> = {
  user: action(UserFields, (emu, u) => emu.addUser(defined(u))),
  group: action(
    z.object({
      title: z.string().min(1).max(128),
      type: z.enum(['group', 'supergroup']).optional(),
      isForum: z.boolean().optional(),
    }),
    (emu, g) => emu.addGroup({ title: g.title, ...defined({ type: g.type, isForum: g.isForum }) }),
  ),
  'private-message': action(MessageFields.extend({ userId: Id }), (emu, m) =>
    ids(emu.privateMessage(user(emu, m.userId), messageInput(emu, m))),
  ),
  'group-message': action(
    MessageFields.extend({ chatId: Id, userId: Id, mention: z.boolean().optional() }),
    (emu, m) => {
      const input = messageInput(emu, m);
      if (m.mention) input.text = `@${emu.bot.username} ${input.text ?? ''}`;
      return ids(emu.message(chat(emu, m.chatId), user(emu, m.userId), input));
    },
  ),
  press: action(
    z.object({ chatId: Id, messageId: Id, userId: Id, data: z.string().optional() }),
    (emu, p) => {
      const { update, queryId } = emu.pressButton(p.chatId, p.messageId, user(emu, p.userId), p.data);
      return { updateId: update.update_id, queryId };
    },
  ),
  edit: action(z.object({ chatId: Id, messageId: Id, text: z.string() }), (emu, e) => ({
    updateId: emu.editMessage(e.chatId, e.messageId, e.text).update.update_id,
  })),
  join: action(z.object({ chatId: Id, userIds: z.array(Id).min(1) }), (emu, j) =>
    ids(
      emu.joinMembers(
        chat(emu, j.chatId),
        j.userIds.map((id) => user(emu, id)),
      ),
    ),
  ),
  rename: action(UserFields.partial().extend({ chatId: Id, userId: Id }), (emu, r) => {
    const { chatId, userId, language_code: _ignored, ...changes } = r;
    return {
      updateId: emu.renameMember(chat(emu, chatId), user(emu, userId).id, defined(changes)).update_id,
    };
  }),
  block: action(z.object({ userId: Id }), (emu, b) => {
    emu.blockBot(b.userId);
    return true;
  }),
  unblock: action(z.object({ userId: Id }), (emu, b) => {
    emu.unblockBot(b.userId);
    return true;
  }),
  'remove-chat': action(z.object({ chatId: Id }), (emu, c) => {
    emu.removeChat(c.chatId);
    return true;
  }),
  sent: action(z.object({ chatId: Id.optional() }), (emu, q) =>
    q.chatId === undefined ? Object.fromEntries(emu.world.allSent()) : emu.sent(q.chatId),
  ),
  stats: action(z.object({}), (emu) => emu.stats()),
};

export async function handleControl(emu: TelegramEmulator, name: string, body: unknown): Promise<unknown> {
  const found = Object.hasOwn(ACTIONS, name) ? ACTIONS[name] : undefined;
  if (!found) throw new Error(`unknown control action "${name}"; known: ${Object.keys(ACTIONS).join(', ')}`);
  return found.handle(emu, body);
}
