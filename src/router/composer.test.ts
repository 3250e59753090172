import { describe, expect, it } from 'vitest';
import { dm } from '../../test/support/events.ts';
import { Composer, type HasEvent } from './composer.ts';

type Ctx = HasEvent & { seen: string[] };
const ctx = (text = 'hi', overrides: Record<string, unknown> = {}): Ctx => ({
  event: dm('u', { text, ...overrides }),
  seen: [],
});

describe('Composer', () => {
  it('runs middleware in order and stops when next is not called', async () => {
    const c = new Composer<Ctx>()
      .use(async (x, next) => {
        x.seen.push('a');
        await next();
        x.seen.push('a-after');
      })
      .use((x) => {
        x.seen.push('b');
      })
      .use((x) => {
        x.seen.push('never');
      });
    const x = ctx();
    await c.middleware()(x, async () => {});
    expect(x.seen).toEqual(['a', 'b', 'a-after']);
  });

  it('filters by event kind and by command', async () => {
    const c = new Composer<Ctx>()
      .on('message:group', (x, next) => {
        x.seen.push('group');
        return next();
      })
      .command(['help', 'start'], (x, next) => {
        x.seen.push('command');
        return next();
      })
      .use((x) => {
        x.seen.push('end');
      });
    const dmHelp = ctx('/help@ExampleBot please');
    await c.middleware()(dmHelp, async () => {});
    expect(dmHelp.seen).toEqual(['command', 'end']);
    const group = ctx('hello', { thread: { key: '-100', kind: 'group' } });
    await c.middleware()(group, async () => {});
    expect(group.seen).toEqual(['group', 'end']);
  });

  it('rejects an unknown filter when it is registered', () => {
    // @ts-expect-error an unknown filter name is also a type error
    expect(() => new Composer<Ctx>().on('mesage', () => {})).toThrow(/unknown filter "mesage"/);
  });

  it('keeps a failing feature from stopping the ones after it', async () => {
    const errors: unknown[] = [];
    const c = new Composer<Ctx>()
      .errorBoundary(
        (e) => {
          errors.push(e);
        },
        () => {
          throw new Error('boom');
        },
      )
      .use((x) => {
        x.seen.push('after');
      });
    const x = ctx();
    await c.middleware()(x, async () => {});
    expect(x.seen).toEqual(['after']);
    expect(String(errors[0])).toContain('boom');
  });
});
