/** The inbox's public surface: what the runtime and the CLI import. */
export type { Role as InboxRole } from './auth/users.ts';
export type { InboxConfig, InboxDeps, RuntimeHealth } from './context.ts';
export { buildInbox, type InboxServer, startInbox } from './server.ts';
export { type TrustDesk, trustDesk } from './trust-desk.ts';
export { USERS_USAGE, type UsersCommandDeps, usersCommand } from './users-command.ts';
