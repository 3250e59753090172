import { expect, it } from 'vitest';
import { z } from 'zod';
import { createTelegramChannel } from './index.ts';
import { capturingLogger, RecordingSink } from './testing.ts';

it('runs the sandbox against the emulator when no token is set, driven over HTTP', async () => {
  const log = capturingLogger('info');
  const channel = await createTelegramChannel({ section: { enabled: true }, env: {}, logger: log.logger });
  const sink = new RecordingSink();
  try {
    const root = channel.emulator?.apiRoot;
    if (!root) throw new Error('expected an emulator in sandbox mode');
    await channel.adapter.start(sink);
    const control = async (action: string, body: unknown) => {
      const res = await fetch(new URL(`./control/${action}`, root), {
        method: 'POST',
        body: JSON.stringify(body),
      });
      return z.object({ ok: z.literal(true), result: z.unknown() }).parse(await res.json()).result;
    };
    const user = z.object({ id: z.number() }).parse(await control('user', { first_name: 'Sandy' }));
    await control('private-message', { userId: user.id, text: 'hello sandbox' });
    const event = await sink.waitFor((events) => events[0]);
    expect(event).toMatchObject({ type: 'message', text: 'hello sandbox', sender: { displayName: 'Sandy' } });
    expect(log.text()).toContain('local Bot API emulator');
    expect(log.text()).not.toContain(channel.emulator?.token ?? 'unset');
  } finally {
    await channel.adapter.stop();
    await channel.close();
  }
});
