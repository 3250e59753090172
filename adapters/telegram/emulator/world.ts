/**
 * What the emulated Telegram knows: users, chats, messages, files, and what the bot did.
 * Pure state with no I/O, so the HTTP layer and the control API share one truth.
 */
import { EventEmitter } from 'node:events';
import type {
  AnsweredCallback,
  ChatType,
  SentEntry,
  TgChat,
  TgFileObject,
  TgMessage,
  TgUser,
} from './types.ts';

export interface StoredFile {
  fileId: string;
  uniqueId: string;
  path: string;
  bytes: Buffer;
  mimeType?: string;
  name?: string;
}

interface ChatState {
  chat: TgChat;
  nextMessageId: number;
  messages: Map<number, TgMessage>;
  sent: SentEntry[];
  /** Groups: whether the bot may restrict members. */
  botIsAdmin: boolean;
}

export class World extends EventEmitter {
  readonly users = new Map<number, TgUser>();
  private readonly chats = new Map<number, ChatState>();
  private readonly files = new Map<string, StoredFile>();
  private readonly filesByPath = new Map<string, StoredFile>();
  readonly blocked = new Set<number>();
  readonly deactivated = new Set<number>();
  /** Chats that existed and are gone (deleted group, bot removed): sends get "chat not found". */
  readonly gone = new Set<number>();
  readonly callbacks = new Map<string, { answered?: AnsweredCallback }>();
  readonly answeredCallbacks: AnsweredCallback[] = [];
  private nextUserId = 100_001;
  private nextGroupId = -1_000_000_001;
  private nextFile = 1;

  /** `firstMessageId`: where every chat's message ids start (1, as on Telegram, by default). */
  constructor(
    readonly bot: TgUser,
    private readonly firstMessageId = 1,
  ) {
    super();
    this.setMaxListeners(0);
  }

  /** Signals every state change to `waitFor` watchers. */
  changed(): void {
    this.emit('change');
  }

  addUser(fields: Partial<TgUser> & { first_name: string }): TgUser {
    const user: TgUser = { ...fields, id: fields.id ?? this.nextUserId++, is_bot: fields.is_bot ?? false };
    this.users.set(user.id, user);
    return user;
  }

  updateUser(id: number, fields: Partial<Omit<TgUser, 'id'>>): { before: TgUser; after: TgUser } {
    const before = this.users.get(id);
    if (!before) throw new Error(`unknown user ${id}`);
    const after: TgUser = { ...before, ...fields };
    this.users.set(id, after);
    return { before, after };
  }

  privateChatOf(user: TgUser): TgChat {
    const existing = this.chats.get(user.id);
    if (existing) return existing.chat;
    const chat: TgChat = { id: user.id, type: 'private', first_name: user.first_name };
    if (user.last_name !== undefined) chat.last_name = user.last_name;
    if (user.username !== undefined) chat.username = user.username;
    this.chats.set(chat.id, {
      chat,
      nextMessageId: this.firstMessageId,
      messages: new Map(),
      sent: [],
      botIsAdmin: false,
    });
    return chat;
  }

  addGroup(opts: {
    id?: number;
    title: string;
    type?: Exclude<ChatType, 'private'>;
    isForum?: boolean;
    botIsAdmin?: boolean;
  }): TgChat {
    const chat: TgChat = {
      id: opts.id ?? this.nextGroupId--,
      type: opts.type ?? 'supergroup',
      title: opts.title,
    };
    if (opts.isForum) chat.is_forum = true;
    this.chats.set(chat.id, {
      chat,
      nextMessageId: this.firstMessageId,
      messages: new Map(),
      sent: [],
      botIsAdmin: opts.botIsAdmin ?? true,
    });
    return chat;
  }

  /** The chat a send may reach, or why not (the Bot API's own descriptions). */
  reachable(
    chatId: number,
  ): { chat: TgChat; botIsAdmin: boolean } | { error: 400 | 403; description: string } {
    const state = this.chats.get(chatId);
    if (!state || this.gone.has(chatId)) return { error: 400, description: 'Bad Request: chat not found' };
    if (this.blocked.has(chatId))
      return { error: 403, description: 'Forbidden: bot was blocked by the user' };
    if (this.deactivated.has(chatId)) return { error: 403, description: 'Forbidden: user is deactivated' };
    return { chat: state.chat, botIsAdmin: state.botIsAdmin };
  }

  chat(chatId: number): TgChat | undefined {
    return this.chats.get(chatId)?.chat;
  }

  chatByUsername(username: string): TgChat | undefined {
    const wanted = username.replace(/^@/, '').toLowerCase();
    for (const state of this.chats.values()) {
      if (state.chat.username?.toLowerCase() === wanted) return state.chat;
    }
    return undefined;
  }

  /** Stores a new message in `chat`, giving it the chat's next id. */
  addMessage(
    chat: TgChat,
    fields: Omit<TgMessage, 'message_id' | 'chat' | 'date'> & { date?: number },
  ): TgMessage {
    const state = this.state(chat.id);
    const message: TgMessage = {
      message_id: state.nextMessageId++,
      chat,
      date: fields.date ?? Math.floor(Date.now() / 1000),
      ...fields,
    };
    state.messages.set(message.message_id, message);
    return message;
  }

  message(chatId: number, messageId: number): TgMessage | undefined {
    return this.chats.get(chatId)?.messages.get(messageId);
  }

  replaceMessage(message: TgMessage): void {
    this.state(message.chat.id).messages.set(message.message_id, message);
  }

  deleteMessage(chatId: number, messageId: number): boolean {
    return this.chats.get(chatId)?.messages.delete(messageId) ?? false;
  }

  record(chatId: number, entry: SentEntry): void {
    this.state(chatId).sent.push(entry);
    this.changed();
  }

  sent(chatId: number): readonly SentEntry[] {
    return this.chats.get(chatId)?.sent ?? [];
  }

  allSent(): Map<number, readonly SentEntry[]> {
    return new Map([...this.chats].map(([id, state]) => [id, state.sent]));
  }

  addFile(bytes: Buffer, meta: { mimeType?: string; name?: string; folder?: string } = {}): StoredFile {
    const n = this.nextFile++;
    const folder = meta.folder ?? 'documents';
    const file: StoredFile = {
      fileId: `emu-file-${n}-${Math.random().toString(36).slice(2, 10)}`,
      uniqueId: `emu-u${n}`,
      path: `${folder}/file_${n}${extension(meta)}`,
      bytes,
    };
    if (meta.mimeType !== undefined) file.mimeType = meta.mimeType;
    if (meta.name !== undefined) file.name = meta.name;
    this.files.set(file.fileId, file);
    this.filesByPath.set(file.path, file);
    return file;
  }

  file(fileId: string): StoredFile | undefined {
    return this.files.get(fileId);
  }

  fileAtPath(path: string): StoredFile | undefined {
    return this.filesByPath.get(path);
  }

  fileObject(file: StoredFile): TgFileObject {
    const object: TgFileObject = {
      file_id: file.fileId,
      file_unique_id: file.uniqueId,
      file_size: file.bytes.length,
    };
    if (file.name !== undefined) object.file_name = file.name;
    if (file.mimeType !== undefined) object.mime_type = file.mimeType;
    return object;
  }

  private state(chatId: number): ChatState {
    const state = this.chats.get(chatId);
    if (!state) throw new Error(`unknown chat ${chatId}`);
    return state;
  }
}

function extension(meta: { mimeType?: string; name?: string }): string {
  const fromName = meta.name?.match(/\.[A-Za-z0-9]{1,8}$/)?.[0];
  if (fromName) return fromName;
  if (meta.mimeType === 'image/jpeg') return '.jpg';
  if (meta.mimeType === 'audio/ogg') return '.oga';
  if (meta.mimeType === 'video/mp4') return '.mp4';
  return '';
}
