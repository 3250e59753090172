import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, withBindings } from './logger.ts';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { logger: createLogger('info', stream), lines };
}

describe('withBindings', () => {
  it('binds what the caller did not, and writes a key the caller bound only once', () => {
    const { logger, lines } = capture();
    withBindings(logger.child({ channel: 'discord' }), { channel: 'discord', role: 'delivery' }).info('hi');
    const [line = ''] = lines;
    expect(line.match(/"channel":/g)).toHaveLength(1);
    expect(JSON.parse(line)).toMatchObject({ channel: 'discord', role: 'delivery', msg: 'hi' });
  });

  it('returns the logger itself when it carries every binding already', () => {
    const { logger } = capture();
    const bound = logger.child({ role: 'inbox' });
    expect(withBindings(bound, { role: 'inbox' })).toBe(bound);
  });
});
