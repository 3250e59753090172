import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createDiscordChannel } from './index.ts';
import { RecordingSink } from './testing.ts';

describe('createDiscordChannel', () => {
  it('runs against the seeded sandbox emulator without a token, driven over HTTP', async () => {
    const channel = await createDiscordChannel({
      section: { enabled: true },
      env: {},
      logger: pino({ level: 'silent' }),
    });
    const sink = new RecordingSink();
    try {
      await channel.adapter.start(sink);
      const sandbox = channel.sandbox;
      if (!sandbox) throw new Error('expected the sandbox');
      const response = await fetch(`${sandbox.emulator.baseUrl}/_control/dm`, {
        method: 'POST',
        body: JSON.stringify({ userId: sandbox.ids.user, content: 'hello from the sandbox' }),
      });
      expect(response.status).toBe(200);
      const event = await sink.waitFor((events) => events[0]);
      expect(event).toMatchObject({
        type: 'message',
        text: 'hello from the sandbox',
        sender: { userId: sandbox.ids.user },
      });
      await sandbox.emulator.waitForBotMessage(sandbox.ids.support);
    } finally {
      await channel.close();
    }
  });

  it('requires an application id with a real token', async () => {
    await expect(
      createDiscordChannel({
        section: {},
        env: { DISCORD_BOT_TOKEN: 't' },
        logger: pino({ level: 'silent' }),
      }),
    ).rejects.toThrow(/DISCORD_APPLICATION_ID/);
  });
});
