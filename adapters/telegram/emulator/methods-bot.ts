/**
 * The Bot API methods about the bot itself: identity, receiving updates (polling or
 * webhook), its command menu and file lookup.
 */
import { badRequest } from './errors.ts';
import type { MethodContext, MethodHandler } from './method-context.ts';
import { parse } from './methods-messages.ts';
import {
  DeleteWebhookParams,
  GetFileParams,
  GetMyCommandsParams,
  GetUpdatesParams,
  SetMyCommandsParams,
  SetWebhookParams,
} from './params.ts';

const COMMAND_NAME = /^[a-z0-9_]{1,32}$/;

export function botMethods(ctx: MethodContext): Record<string, MethodHandler> {
  const { world, queue } = ctx;
  const commandsKey = (scope: { type: string } | undefined, language: string | undefined): string =>
    `${scope?.type ?? 'default'}:${language ?? ''}`;

  return {
    getMe() {
      return {
        ...world.bot,
        can_join_groups: true,
        can_read_all_group_messages: false,
        supports_inline_queries: false,
      };
    },

    async getUpdates(call) {
      const p = parse(GetUpdatesParams, call.params);
      if (p.limit < 1 || p.limit > 100) throw badRequest('limit must be between 1 and 100');
      return await queue.poll({
        offset: p.offset,
        limit: p.limit,
        timeoutSeconds: Math.max(0, p.timeout),
        closed: call.closed,
        ...(p.allowed_updates ? { allowedUpdates: p.allowed_updates } : {}),
      });
    },

    setWebhook(call) {
      const p = parse(SetWebhookParams, call.params);
      if (p.url === '') {
        queue.setWebhook(undefined, p.drop_pending_updates ?? false);
        return true;
      }
      if (!/^https?:\/\/[^\s/]+/.test(p.url)) throw badRequest('bad webhook: Failed to resolve host');
      if (p.secret_token !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(p.secret_token)) {
        throw badRequest('secret token contains unallowed characters');
      }
      queue.setWebhook(
        {
          url: p.url,
          maxConnections: Math.min(Math.max(p.max_connections ?? 40, 1), 100),
          ...(p.secret_token !== undefined ? { secretToken: p.secret_token } : {}),
          ...(p.allowed_updates ? { allowedUpdates: p.allowed_updates } : {}),
        },
        p.drop_pending_updates ?? false,
      );
      return true;
    },

    deleteWebhook(call) {
      const p = parse(DeleteWebhookParams, call.params);
      queue.setWebhook(undefined, p.drop_pending_updates ?? false);
      return true;
    },

    getWebhookInfo() {
      const hook = queue.webhook;
      const status = queue.webhookStatus;
      return {
        url: hook?.url ?? '',
        has_custom_certificate: false,
        pending_update_count: queue.pendingCount,
        ...(hook ? { max_connections: hook.maxConnections } : {}),
        ...(hook?.allowedUpdates ? { allowed_updates: hook.allowedUpdates } : {}),
        ...(hook && status.lastErrorDate !== undefined
          ? { last_error_date: status.lastErrorDate, last_error_message: status.lastErrorMessage }
          : {}),
      };
    },

    setMyCommands(call) {
      const p = parse(SetMyCommandsParams, call.params);
      if (p.commands.length > 100) throw badRequest('too many commands');
      for (const c of p.commands) {
        if (!COMMAND_NAME.test(c.command)) throw badRequest('BOT_COMMAND_INVALID');
        if (c.description.length < 1 || c.description.length > 256) {
          throw badRequest('BOT_COMMAND_DESCRIPTION_INVALID');
        }
      }
      ctx.commands.set(commandsKey(p.scope, p.language_code), p.commands);
      world.changed();
      return true;
    },

    getMyCommands(call) {
      const p = parse(GetMyCommandsParams, call.params);
      return ctx.commands.get(commandsKey(p.scope, p.language_code)) ?? [];
    },

    deleteMyCommands(call) {
      const p = parse(GetMyCommandsParams, call.params);
      ctx.commands.delete(commandsKey(p.scope, p.language_code));
      return true;
    },

    getFile(call) {
      const p = parse(GetFileParams, call.params);
      const file = world.file(p.file_id);
      if (!file) throw badRequest('invalid file_id');
      return {
        file_id: file.fileId,
        file_unique_id: file.uniqueId,
        file_size: file.bytes.length,
        file_path: file.path,
      };
    },
  };
}
