import { z } from 'zod';

/**
 * What the organization owns: the registry every verdict is measured against.
 * `verity trust check --official FILE` accepts exactly this shape.
 */
export const OfficialConfig = z.object({
  name: z.string().min(1),
  /** Extra spellings of the brand that lookalike detection protects (e.g. a ticker). */
  brands: z.array(z.string().min(2)).default([]),
  domains: z.array(z.string().min(3)).default([]),
  handles: z.record(z.string(), z.array(z.string().min(1))).default({}),
  /** Platform user/bot/server ids per channel (cannot be copied, unlike names). */
  ids: z.record(z.string(), z.array(z.string().min(1))).default({}),
  phones: z.array(z.string().min(3)).default([]),
  emails: z.array(z.string().min(3)).default([]),
  staffNames: z.array(z.string().min(1)).default([]),
  /** Wallet addresses the organization publishes (deposit, treasury). */
  addresses: z.array(z.string().min(20)).default([]),
  /** Promise keys shown in verification messages; texts come from the templates. */
  promises: z
    .array(z.enum(['never-dm-first', 'never-ask-secret', 'never-ask-funds', 'never-call']))
    .default(['never-dm-first', 'never-ask-secret', 'never-ask-funds']),
  /** Official invite and profile links (`discord.gg/…`, `t.me/…`, `weixin://…`), compared without scheme. */
  links: z.array(z.string().min(3)).default([]),
  /** Names and domains that look like ours but are not an attack (fixes a false alarm at once). */
  allowlist: z.array(z.string()).default([]),
});
export type OfficialConfig = z.infer<typeof OfficialConfig>;
