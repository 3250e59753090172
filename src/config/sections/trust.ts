import { z } from 'zod';
import { Language } from '../../core/model.ts';

/** The `trust:` section: how the trust layer acts in chats. */
export const TrustConfig = z.object({
  /** Delete scam messages in groups where the bot has the permission (moderators are alerted either way). */
  deleteInGroups: z.boolean().default(false),
  /** Groups that get the verification message on a schedule. */
  verificationSchedule: z
    .array(
      z.object({
        channel: z.string().min(1),
        /** The group's thread key (Telegram chat id, Discord channel id, WeChat room id). */
        threadKey: z.string().min(1),
        everyHours: z
          .number()
          .positive()
          .max(24 * 30),
        language: Language.optional(),
      }),
    )
    .default([]),
});
export type TrustConfig = z.infer<typeof TrustConfig>;
