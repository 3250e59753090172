import { describe, expect, it } from 'vitest';
import { normalizeUpdate } from './normalize.ts';

const bot = { id: 1000001, username: 'ExampleWalletBot' };
const user = { id: 42, is_bot: false, first_name: 'Ann' };
const dm = { id: 42, type: 'private' };
const group = { id: -100123, type: 'supergroup', title: 'Community' };
const msg = (fields: Record<string, unknown>) => ({
  update_id: 7,
  message: { message_id: 5, date: 1_700_000_000, from: user, ...fields },
});

describe('normalizeUpdate', () => {
  const addressed = (text: string, entities: unknown[], extra: Record<string, unknown> = {}) => {
    const result = normalizeUpdate(msg({ chat: group, text, entities, ...extra }), bot);
    if (!('events' in result)) throw new Error(JSON.stringify(result));
    const [event] = result.events;
    return event?.type === 'message' ? event.addressedToBot : undefined;
  };

  it.each([
    ['plain text', 'gm', [], false],
    ['a mention of the bot', 'hey @examplewalletbot', [{ type: 'mention', offset: 4, length: 17 }], true],
    ['a mention of someone else', 'hey @ExampleSupport', [{ type: 'mention', offset: 4, length: 15 }], false],
    ['a bare command', '/help', [{ type: 'bot_command', offset: 0, length: 5 }], true],
    [
      'a command for this bot',
      '/help@ExampleWalletBot',
      [{ type: 'bot_command', offset: 0, length: 22 }],
      true,
    ],
    ['a command for another bot', '/help@OtherBot', [{ type: 'bot_command', offset: 0, length: 14 }], false],
    [
      'a text mention',
      'hey support',
      [{ type: 'text_mention', offset: 4, length: 7, user: { ...user, id: bot.id } }],
      true,
    ],
  ])('in a group, %s → addressed %s', (_name, text, entities, expected) => {
    expect(addressed(text, entities)).toBe(expected);
  });

  it('counts a reply to the bot and a caption mention as addressed', () => {
    expect(
      addressed('thanks', [], {
        reply_to_message: { message_id: 1, from: { ...user, id: bot.id, is_bot: true } },
      }),
    ).toBe(true);
    const result = normalizeUpdate(
      msg({
        chat: group,
        caption: '@ExampleWalletBot look',
        caption_entities: [{ type: 'mention', offset: 0, length: 17 }],
        document: { file_id: 'f1', file_size: 10 },
      }),
      bot,
    );
    expect(result).toMatchObject({
      events: [{ addressedToBot: true, attachments: [{ type: 'document', fileId: 'f1' }] }],
    });
  });

  it('speaks for anonymous admins as their chat, and keeps stickers, locations and contacts', () => {
    const result = normalizeUpdate(
      msg({
        chat: group,
        from: { id: 1087968824, is_bot: true, first_name: 'Group' },
        sender_chat: { id: -100123, type: 'supergroup', title: 'Community', username: 'community' },
        sticker: { file_id: 's1', emoji: '🙂' },
        location: { latitude: 1.3, longitude: 103.8 },
        contact: { phone_number: '+15550100', first_name: 'Support' },
      }),
      bot,
    );
    expect(result).toMatchObject({
      events: [
        {
          sender: { userId: '-100123', handle: '@community', displayName: 'Community' },
          attachments: [
            { type: 'sticker', fileId: 's1', details: { emoji: '🙂' } },
            { type: 'location', details: { latitude: '1.3', longitude: '103.8' } },
            { type: 'contact', details: { phone: '+15550100', name: 'Support' } },
          ],
        },
      ],
    });
  });

  it('marks the parts of an album with the album, and leaves other messages without one', () => {
    const part = normalizeUpdate(
      msg({ chat: dm, media_group_id: '13579', photo: [{ file_id: 'p1', width: 90, height: 90 }] }),
      bot,
    );
    expect(part).toMatchObject({ events: [{ album: '13579', text: '', attachments: [{ fileId: 'p1' }] }] });
    const single = normalizeUpdate(msg({ chat: dm, photo: [{ file_id: 'p2', width: 90, height: 90 }] }), bot);
    if (!('events' in single)) throw new Error(JSON.stringify(single));
    expect(single.events[0]).not.toHaveProperty('album');
  });

  it('reports leaves, ignores status-only member changes and service messages', () => {
    expect(normalizeUpdate(msg({ chat: group, left_chat_member: user }), bot)).toMatchObject({
      events: [{ type: 'member', change: 'left', eventId: '-100123:5:left:42' }],
    });
    const statusOnly = {
      update_id: 8,
      chat_member: {
        chat: group,
        from: user,
        date: 1,
        old_chat_member: { status: 'left', user },
        new_chat_member: { status: 'member', user },
      },
    };
    expect(normalizeUpdate(statusOnly, bot)).toMatchObject({
      ignored: expect.stringContaining('status change'),
    });
    expect(normalizeUpdate(msg({ chat: group, pinned_message: { message_id: 1 } }), bot)).toMatchObject({
      ignored: 'service or unsupported message',
    });
    expect(normalizeUpdate({ update_id: 9, poll: { id: 'p' } }, bot)).toEqual({
      ignored: 'update kind not handled: poll',
      updateId: 9,
    });
  });

  it("turns the bot's own membership changes into reachability: blocked, restarted, removed, taken back", () => {
    const botUser = { id: bot.id, is_bot: true, first_name: 'Example Wallet' };
    const standing = (chat: unknown, before: string, after: string, subject: unknown = botUser) => ({
      update_id: 11,
      my_chat_member: {
        chat,
        from: user,
        date: 1_700_000_000,
        old_chat_member: { status: before, user: subject },
        new_chat_member: { status: after, user: subject, until_date: 0 },
      },
    });
    const reachability = (update: unknown) => {
      const result = normalizeUpdate(update, bot);
      if (!('events' in result)) throw new Error(JSON.stringify(result));
      return result.events.map((e) =>
        e.type === 'reachability' ? e.unreachable : `not reachability: ${e.type}`,
      );
    };
    expect(normalizeUpdate(standing(dm, 'member', 'kicked'), bot)).toMatchObject({
      updateId: 11,
      events: [
        {
          type: 'reachability',
          eventId: 'standing:11',
          thread: { key: '42', kind: 'private' },
          sender: { userId: '42' },
          at: 1_700_000_000_000,
          unreachable: 'blocked',
        },
      ],
    });
    expect(reachability(standing(dm, 'kicked', 'member'))).toEqual([null]);
    expect(reachability(standing(group, 'member', 'left'))).toEqual(['chat-gone']);
    expect(reachability(standing(group, 'administrator', 'kicked'))).toEqual(['chat-gone']);
    expect(reachability(standing(group, 'left', 'administrator'))).toEqual([null]);
    expect(normalizeUpdate(standing(group, 'member', 'restricted'), bot)).toMatchObject({
      ignored: expect.stringContaining('restricted'),
    });
    const otherBot = { id: 77, is_bot: true, first_name: 'Other' };
    expect(normalizeUpdate(standing(group, 'member', 'left', otherBot), bot)).toMatchObject({
      ignored: expect.stringContaining('another bot'),
    });
    expect(normalizeUpdate({ update_id: 12, my_chat_member: { chat: dm } }, bot)).toMatchObject({
      invalid: expect.stringContaining('my_chat_member'),
      updateId: 12,
    });
  });

  it('ignores presses without a message or data, and drops a bad language tag only', () => {
    expect(
      normalizeUpdate({ update_id: 1, callback_query: { id: 'q', from: user, data: 'x' } }, bot),
    ).toMatchObject({
      ignored: expect.stringContaining('inline'),
    });
    expect(
      normalizeUpdate(
        { update_id: 1, callback_query: { id: 'q', from: user, message: { message_id: 1, chat: dm } } },
        bot,
      ),
    ).toMatchObject({ ignored: expect.stringContaining('without data') });
    const result = normalizeUpdate(
      msg({ chat: dm, text: 'hi', from: { ...user, language_code: 'not a tag' } }),
      bot,
    );
    expect(result).toMatchObject({ events: [{ sender: { userId: '42' } }] });
    if ('events' in result) expect(result.events[0]?.sender.language).toBeUndefined();
  });

  it('explains invalid updates without crashing', () => {
    expect(normalizeUpdate(null, bot)).toMatchObject({ invalid: expect.stringContaining('update') });
    expect(normalizeUpdate({ update_id: 3, message: { message_id: 'x' } }, bot)).toMatchObject({
      updateId: 3,
      invalid: expect.stringMatching(/^message: .*message_id/s),
    });
    expect(normalizeUpdate(msg({ chat: dm, text: 'x'.repeat(70_000) }), bot)).toMatchObject({
      invalid: expect.stringContaining('text'),
    });
    expect(
      normalizeUpdate(
        { update_id: 4, edited_message: { message_id: 1, date: 1, chat: dm, from: user, text: 'a' } },
        bot,
      ),
    ).toMatchObject({ invalid: expect.stringContaining('edit_date') });
  });
});
