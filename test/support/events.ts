import { InboundEvent, type InboundMessage } from '../../src/core/model.ts';

let counter = 0;

/** A valid inbound DM from `user`; any field can be overridden. */
export function dm(user = 'u1', overrides: Record<string, unknown> = {}): InboundMessage {
  counter++;
  const event = InboundEvent.parse({
    type: 'message',
    channel: 'telegram',
    eventId: `e${counter}-${Math.random().toString(36).slice(2)}`,
    thread: { key: `chat-${user}`, kind: 'private' },
    sender: { channel: 'telegram', userId: user, handle: `@${user}`, displayName: `User ${user}` },
    at: Date.now(),
    platformMessageId: `m${counter}`,
    text: 'hello',
    ...overrides,
  });
  if (event.type !== 'message') throw new Error('dm() builds messages');
  return event;
}
