/** The shapes the page reads from the API (the server's model, as JSON). */
export type Role = 'agent' | 'moderator' | 'admin';
export interface User {
  id: string;
  username: string;
  name: string;
  role: Role;
  disabled?: boolean;
}
export interface Participant {
  channel: string;
  userId: string;
  handle?: string;
  displayName?: string;
}
export interface Conversation {
  id: string;
  channel: string;
  title?: string;
  participant: Participant;
  status: 'open' | 'pending' | 'snoozed' | 'resolved';
  snoozedUntil?: number;
  assignee?: string;
  owner: string;
  priority: 'low' | 'normal' | 'high' | 'urgent';
  tags: string[];
  ticket?: string;
  /** Why the last send was refused for good (blocked, removed); cleared when the user writes again. */
  unreachable?: string;
  unread: number;
  lastMessageAt: number;
}
export interface Entity {
  kind: string;
  value: string;
  verdict: 'official' | 'flagged' | 'lookalike' | 'unknown';
  target?: string;
  reasons: string[];
}
export interface Message {
  id: string;
  seq: number;
  direction: 'in' | 'out';
  author: { kind: string; id: string; name?: string };
  text: string;
  attachments: Array<{ type: string; name?: string; size?: number; mimeType?: string; caption?: string }>;
  entities: Entity[];
  redactions: Array<{ kind: string; length: number }>;
  note?: boolean;
  delivery?: { state: string; error?: string };
  createdAt: number;
}
export interface LiveEvent {
  type: 'message' | 'conversation' | 'typing' | 'sla' | 'delivery' | 'alert';
  conversationId?: string;
  data: Record<string, unknown>;
  at: number;
}
