/**
 * A middleware chain in the spirit of grammY's Composer: handlers are small composable
 * units that call `next()` to pass the turn on. Filters are a small checked vocabulary,
 * validated when a handler is registered, not when the first event arrives.
 */
import type { InboundEvent } from '../core/model.ts';

export type NextFn = () => Promise<void>;
export type Middleware<C> = (ctx: C, next: NextFn) => Promise<void> | void;

export interface HasEvent {
  readonly event: InboundEvent;
}

/** `message`, `edit`, `button`, `member`, plus narrower ones below. */
export const FILTERS = {
  message: (e: InboundEvent) => e.type === 'message',
  edit: (e: InboundEvent) => e.type === 'edit',
  button: (e: InboundEvent) => e.type === 'button',
  member: (e: InboundEvent) => e.type === 'member',
  /** A message the user addressed to the bot (every DM; a mention, reply or command in a group). */
  'message:addressed': (e: InboundEvent) => e.type === 'message' && e.addressedToBot,
  'message:private': (e: InboundEvent) => e.type === 'message' && e.thread.kind === 'private',
  'message:group': (e: InboundEvent) => e.type === 'message' && e.thread.kind !== 'private',
  'message:command': (e: InboundEvent) => e.type === 'message' && /^\/[a-z]/i.test(e.text),
  'member:joined': (e: InboundEvent) => e.type === 'member' && e.change === 'joined',
  'member:renamed': (e: InboundEvent) => e.type === 'member' && e.change === 'renamed',
} as const;

export type FilterName = keyof typeof FILTERS;

export class UnknownFilterError extends Error {
  constructor(name: string) {
    super(`unknown filter "${name}"; known: ${Object.keys(FILTERS).join(', ')}`);
  }
}

export class Composer<C extends HasEvent> {
  private readonly stack: Array<Middleware<C>> = [];

  use(...middleware: Array<Middleware<C>>): this {
    this.stack.push(...middleware);
    return this;
  }

  /** Run the middleware only for events matching every filter given. */
  on(filter: FilterName | FilterName[], ...middleware: Array<Middleware<C>>): this {
    const names = Array.isArray(filter) ? filter : [filter];
    const tests = names.map((name) => {
      const test = (FILTERS as Record<string, ((e: InboundEvent) => boolean) | undefined>)[name];
      if (!test) throw new UnknownFilterError(name);
      return test;
    });
    return this.filter((ctx) => tests.every((t) => t(ctx.event)), ...middleware);
  }

  /** Run the middleware for commands (`/name` or `/name@bot`, any case). */
  command(names: string | string[], ...middleware: Array<Middleware<C>>): this {
    const wanted = new Set((Array.isArray(names) ? names : [names]).map((n) => n.toLowerCase()));
    return this.filter(
      (ctx) => {
        const e = ctx.event;
        if (e.type !== 'message') return false;
        const m = /^\/([a-z0-9_]+)(?:@\S+)?(?:\s|$)/i.exec(e.text.trim());
        return m !== null && wanted.has(m[1]!.toLowerCase());
      },
      ...middleware,
    );
  }

  filter(predicate: (ctx: C) => boolean, ...middleware: Array<Middleware<C>>): this {
    const inner = compose(middleware);
    return this.use((ctx, next) => (predicate(ctx) ? inner(ctx, next) : next()));
  }

  branch(predicate: (ctx: C) => boolean, yes: Middleware<C>, no: Middleware<C>): this {
    return this.use((ctx, next) => (predicate(ctx) ? yes(ctx, next) : no(ctx, next)));
  }

  /**
   * Run `middleware` so that an error inside it goes to `onError` and the chain goes on
   * after it: a failing feature cannot stop the features registered after it.
   */
  errorBoundary(
    onError: (error: unknown, ctx: C) => Promise<void> | void,
    ...middleware: Array<Middleware<C>>
  ): this {
    const inner = compose(middleware);
    return this.use(async (ctx, next) => {
      let nextCalled = false;
      try {
        await inner(ctx, async () => {
          nextCalled = true;
          await next();
        });
      } catch (error) {
        await onError(error, ctx);
        if (!nextCalled) await next();
      }
    });
  }

  middleware(): Middleware<C> {
    return compose(this.stack);
  }
}

export function compose<C>(stack: ReadonlyArray<Middleware<C>>): Middleware<C> {
  return (ctx, last) => {
    let index = -1;
    const dispatch = async (i: number): Promise<void> => {
      if (i <= index) throw new Error('next() called more than once');
      index = i;
      const fn = stack[i];
      if (!fn) return last();
      await fn(ctx, () => dispatch(i + 1));
    };
    return dispatch(0);
  };
}
