/**
 * Canned responses and macros, shared by all agents. A canned response is a text with
 * placeholders (`{{name}}`, `{{ticket}}` …); a macro is several actions applied at once.
 */
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { ConversationStatus, Priority } from '../core/model.ts';
import { newId } from '../store/ids.ts';
import type { InboxKeys } from './keys.ts';

export const PLACEHOLDERS = ['name', 'handle', 'ticket', 'agent', 'channel', 'organization'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

export const CannedInput = z.object({
  shortcut: z.string().regex(/^[\p{L}\p{N}_-]{1,32}$/u, 'a shortcut is 1–32 letters, digits, _ or -'),
  title: z.string().min(1).max(120),
  text: z.string().min(1).max(4000),
  language: z.string().max(16).optional(),
});
export const Canned = CannedInput.extend({ id: z.string(), updatedAt: z.number() });
export type Canned = z.infer<typeof Canned>;

export const MacroAction = z.discriminatedUnion('type', [
  z.object({ type: z.literal('reply'), text: z.string().min(1).max(4000) }),
  z.object({ type: z.literal('note'), text: z.string().min(1).max(4000) }),
  z.object({ type: z.literal('status'), status: ConversationStatus }),
  z.object({ type: z.literal('priority'), priority: Priority }),
  z.object({
    type: z.literal('tag'),
    add: z.array(z.string()).default([]),
    remove: z.array(z.string()).default([]),
  }),
  z.object({ type: z.literal('assign'), to: z.enum(['me', 'nobody']) }),
]);
export type MacroAction = z.infer<typeof MacroAction>;
export const MacroInput = z.object({
  name: z.string().min(1).max(120),
  actions: z.array(MacroAction).min(1).max(10),
});
export const Macro = MacroInput.extend({ id: z.string(), updatedAt: z.number() });
export type Macro = z.infer<typeof Macro>;

/** Replaces known placeholders; unknown ones stay visible so the agent notices before sending. */
export function renderPlaceholders(text: string, values: Partial<Record<Placeholder, string>>): string {
  return text.replace(/\{\{\s*([a-z]+)\s*\}\}/g, (whole, name: string) => {
    const key = PLACEHOLDERS.find((p) => p === name);
    return (key && values[key]) ?? whole;
  });
}

export class Collection<I extends z.ZodType, T extends { id: string }> {
  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    readonly input: I,
    private readonly schema: z.ZodType<T>,
  ) {}

  async list(): Promise<T[]> {
    const raws = await this.redis.hvals(this.key);
    return raws.flatMap((raw) => this.decode(raw) ?? []);
  }

  async get(id: string): Promise<T | undefined> {
    const raw = await this.redis.hget(this.key, id);
    return raw === null ? undefined : this.decode(raw);
  }

  private decode(raw: string): T | undefined {
    try {
      const parsed = this.schema.safeParse(JSON.parse(raw));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }

  async put(value: z.infer<I>, id = newId()): Promise<T> {
    const item = this.schema.parse({ ...(value as object), id, updatedAt: Date.now() });
    await this.redis.hset(this.key, id, JSON.stringify(item));
    return item;
  }

  /** Replaces an existing item; undefined when there is none. */
  async replace(id: string, value: z.infer<I>): Promise<T | undefined> {
    if (!(await this.redis.hexists(this.key, id))) return undefined;
    return this.put(value, id);
  }

  async remove(id: string): Promise<boolean> {
    return (await this.redis.hdel(this.key, id)) > 0;
  }
}

export class Library {
  readonly canned: Collection<typeof CannedInput, Canned>;
  readonly macros: Collection<typeof MacroInput, Macro>;

  constructor(redis: Redis, keys: InboxKeys) {
    this.canned = new Collection(redis, keys.canned(), CannedInput, Canned);
    this.macros = new Collection(redis, keys.macros(), MacroInput, Macro);
  }
}
