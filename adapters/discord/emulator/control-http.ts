/**
 * The emulator's control API over HTTP (`/_control/<action>`, JSON), for the sandbox and
 * for anyone poking at it with curl: the same operations as DiscordEmulator's methods.
 * Bodies are checked with zod; a bad body answers 400 with the reason.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { DiscordEmulator } from './emulator.ts';

const Id = z.string().min(1);
const Content = z.string().min(1).max(4000);

type Outcome = { error: string } | { value: unknown };

/** Pairs a body schema with its handler, so the handler only ever sees a parsed body. */
function body<S extends z.ZodType>(schema: S, run: (input: z.output<S>, emu: DiscordEmulator) => unknown) {
  return (raw: unknown, emu: DiscordEmulator): Outcome => {
    const parsed = schema.safeParse(raw);
    if (!parsed.success) return { error: z.prettifyError(parsed.error) };
    return { value: run(parsed.data, emu) };
  };
}

const actions = {
  user: body(z.object({ username: z.string().min(1), globalName: z.string().optional() }), (b, emu) =>
    emu.createUser(b.username, b.globalName ? { globalName: b.globalName } : {}),
  ),
  guild: body(z.object({ name: z.string().min(1) }), (b, emu) => ({ id: emu.createGuild(b.name).id })),
  channel: body(z.object({ guildId: Id, name: z.string().min(1) }), (b, emu) => ({
    id: emu.createTextChannel(b.guildId, b.name).id,
  })),
  role: body(
    z.object({ guildId: Id, name: z.string().min(1), permissions: z.string().regex(/^\d+$/).default('0') }),
    (b, emu) => ({
      id: emu.createRole(b.guildId, b.name, BigInt(b.permissions)).id,
    }),
  ),
  join: body(z.object({ guildId: Id, userId: Id, nick: z.string().optional() }), (b, emu) =>
    emu.memberJoin(b.guildId, b.userId, b.nick ?? null),
  ),
  rename: body(
    z.object({
      guildId: Id,
      userId: Id,
      nick: z.string().nullable().optional(),
      globalName: z.string().nullable().optional(),
    }),
    (b, emu) =>
      emu.rename(b.guildId, b.userId, {
        ...(b.nick !== undefined ? { nick: b.nick } : {}),
        ...(b.globalName !== undefined ? { globalName: b.globalName } : {}),
      }),
  ),
  dm: body(z.object({ userId: Id, content: Content }), (b, emu) => ({
    id: emu.injectDm(b.userId, b.content).id,
  })),
  message: body(
    z.object({ channelId: Id, userId: Id, content: Content, mentionBot: z.boolean().default(false) }),
    (b, emu) => ({
      id: emu.injectGuildMessage(b.channelId, b.userId, { content: b.content, mentionBot: b.mentionBot }).id,
    }),
  ),
  edit: body(z.object({ messageId: Id, content: Content }), (b, emu) => ({
    id: emu.injectEdit(b.messageId, b.content).id,
  })),
  slash: body(
    z.object({
      channelId: Id,
      userId: Id,
      name: z.string().min(1),
      options: z.record(z.string(), z.string()).default({}),
    }),
    (b, emu) => ({
      id: emu.injectSlash(b.channelId, b.userId, b.name, b.options).id,
    }),
  ),
  button: body(z.object({ channelId: Id, userId: Id, messageId: Id, customId: Id }), (b, emu) => ({
    id: emu.injectButton(b.channelId, b.userId, b.messageId, b.customId).id,
  })),
  select: body(
    z.object({ channelId: Id, userId: Id, messageId: Id, customId: Id, values: z.array(z.string()).min(1) }),
    (b, emu) => ({
      id: emu.injectSelect(b.channelId, b.userId, b.messageId, b.customId, b.values).id,
    }),
  ),
  drop: body(z.object({}).default({}), (_b, emu) => emu.dropGateway()),
  actions: body(z.object({ channelId: Id.optional() }).default({}), (b, emu) =>
    b.channelId ? emu.actionsIn(b.channelId) : emu.actions,
  ),
  violations: body(z.object({}).default({}), (_b, emu) => emu.violations),
  state: body(z.object({}).default({}), (_b, emu) => ({
    applicationId: emu.applicationId,
    botUserId: emu.bot.id,
    guilds: [...emu.world.guilds.values()].map((g) => ({
      id: g.id,
      name: g.name,
      channels: g.channelIds.map((id) => ({ id, name: emu.world.channels.get(id)?.name ?? null })),
      roles: [...g.roles.values()].map((r) => ({ id: r.id, name: r.name })),
    })),
    users: [...emu.world.users.values()],
  })),
};

function isAction(name: string): name is keyof typeof actions {
  return Object.hasOwn(actions, name);
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : undefined;
}

function reply(res: ServerResponse, status: number, payload: unknown): void {
  res
    .writeHead(status, { 'content-type': 'application/json' })
    .end(
      JSON.stringify(payload ?? null, (_k, v: unknown) =>
        typeof v === 'bigint' ? v.toString() : v instanceof Set ? [...v] : v,
      ),
    );
}

export async function handleControl(
  emu: DiscordEmulator,
  req: IncomingMessage,
  res: ServerResponse,
  name: string,
): Promise<void> {
  if (!isAction(name)) {
    reply(res, 404, { error: `unknown control action "${name}"`, actions: Object.keys(actions) });
    return;
  }
  let raw: unknown;
  try {
    raw = await readBody(req);
  } catch {
    reply(res, 400, { error: 'the body is not JSON' });
    return;
  }
  try {
    const outcome = actions[name](raw, emu);
    if ('error' in outcome) reply(res, 400, outcome);
    else reply(res, 200, outcome.value ?? { ok: true });
  } catch (error) {
    reply(res, 400, { error: error instanceof Error ? error.message : String(error) });
  }
}
