/**
 * Keeps malformed gateway dispatches from crashing the process. discord.js dereferences
 * some fields of a dispatch without checking them (a MESSAGE_CREATE without `author`, a
 * GUILD_MEMBER_ADD without `user`), inside an async listener, so the TypeError becomes an
 * unhandled rejection that ends a Node process. Two layers:
 *
 * 1. `raw` (emitted just before discord.js handles a packet, with the same object): the
 *    dispatch is checked against the fields discord.js relies on; a failing one is
 *    renamed to an event discord.js has no handler for, so it is dropped, and logged.
 * 2. discord.js's packet dispatcher is wrapped in a try/catch for whatever layer 1 does
 *    not know about. It is a private method, so its presence is checked, not assumed.
 */
import type { Client } from 'discord.js';
import type { Logger } from 'pino';
import { z } from 'zod';

export const QUARANTINED = 'VERITY_QUARANTINED';

const Id = z.union([z.string().min(1), z.number()]);
const WithId = z.object({ id: Id });
const Member = z.object({ guild_id: Id, user: WithId });

/**
 * The fields discord.js reads unchecked, per dispatch. The schemas only check: their output
 * is dropped, so they strip (the default) rather than keep unknown keys, which would copy
 * every field of every dispatch (a message has ~25) into a new object: 1.6 µs against 0.14
 * for a MESSAGE_CREATE, ~3 % of the Discord path's CPU.
 */
const REQUIRED: Record<string, z.ZodType> = {
  READY: z.object({ user: WithId, application: WithId, session_id: z.string() }),
  GUILD_CREATE: WithId,
  GUILD_UPDATE: WithId,
  CHANNEL_CREATE: z.object({ id: Id, type: z.number() }),
  CHANNEL_UPDATE: z.object({ id: Id, type: z.number() }),
  THREAD_CREATE: z.object({ id: Id, type: z.number() }),
  THREAD_UPDATE: z.object({ id: Id, type: z.number() }),
  MESSAGE_CREATE: z.object({ id: Id, channel_id: Id, author: WithId }),
  MESSAGE_UPDATE: z.object({ id: Id, channel_id: Id, author: WithId.optional() }),
  MESSAGE_DELETE: z.object({ id: Id, channel_id: Id }),
  GUILD_MEMBER_ADD: Member,
  GUILD_MEMBER_UPDATE: Member,
  GUILD_MEMBER_REMOVE: Member,
  INTERACTION_CREATE: z.object({
    id: Id,
    type: z.number(),
    token: z.string(),
    application_id: Id,
    user: WithId.optional(),
    member: z.object({ user: WithId }).optional(),
  }),
};

const Packet = z.object({ t: z.string(), d: z.unknown() });

export interface GuardStats {
  quarantined: number;
  caught: number;
  lastReason?: string;
}

/** Installs both layers on a client (before login). Returns counters for health(). */
export function guardPackets(client: Client, logger: Logger): GuardStats {
  const stats: GuardStats = { quarantined: 0, caught: 0 };
  client.on('raw', (packet: unknown) => {
    const parsed = Packet.safeParse(packet);
    if (!parsed.success) return;
    const { t, d } = parsed.data;
    const schema = REQUIRED[t];
    let problem: string | undefined;
    if (d === null || typeof d !== 'object') problem = 'its data is not an object';
    else if (schema) {
      const checked = schema.safeParse(d);
      if (!checked.success) problem = z.prettifyError(checked.error);
    }
    if (!problem) return;
    Reflect.set(Object(packet), 't', QUARANTINED);
    stats.quarantined += 1;
    stats.lastReason = `${t}: ${problem}`;
    logger.warn({ event: t, reason: problem }, 'discord: malformed gateway dispatch dropped');
  });

  const ws: object = client.ws;
  const original: unknown = Reflect.get(ws, 'handlePacket');
  if (typeof original !== 'function') {
    logger.warn(
      'discord: this discord.js has no handlePacket; only the schema guard protects against malformed dispatches',
    );
    return stats;
  }
  Reflect.set(ws, 'handlePacket', (...args: unknown[]): unknown => {
    try {
      return Reflect.apply(original, ws, args);
    } catch (error) {
      stats.caught += 1;
      const event = Packet.safeParse(args[0]).data?.t ?? 'unknown';
      stats.lastReason = `${event}: ${error instanceof Error ? error.message : String(error)}`;
      logger.error({ event, err: error }, 'discord: discord.js failed on a gateway dispatch; dropped it');
      return true;
    }
  });
  return stats;
}
