/**
 * Inbox latency with a realistic store: 100,000 conversations and 1,000,000 messages in
 * Redis, then the list API (with and without filters) over real HTTP, p50/p95, and the
 * fan-out of live events to 100 connected agents (SSE), delivery p99 from publish to
 * receipt. Targets: list p95 < 50 ms, fan-out p99 < 250 ms.
 */
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { LivePublisher } from '../src/bus/live.ts';
import { InboundEvent } from '../src/core/model.ts';
import { buildInbox } from '../src/inbox/server.ts';
import { Metrics } from '../src/ops/metrics.ts';
import { ConversationStore } from '../src/store/conversations.ts';
import { connectRedis } from '../src/store/redis.ts';
import { benchRedis } from './lib/redis.ts';
import { jsonLine, percentile, printFigures, round } from './lib/report.ts';

const CONVERSATIONS = Number(process.env.BENCH_INBOX_CONVERSATIONS ?? 100_000);
const MESSAGES = Number(process.env.BENCH_INBOX_MESSAGES ?? 1_000_000);
const CLIENTS = 100;
const LIVE_EVENTS = 200;
const REQUESTS_PER_QUERY = 100;
const CHANNELS = ['telegram', 'discord', 'wechat'];
const PASSWORD = 'bench password 123';

function event(n: number, now: number): InboundEvent {
  const c = n % CONVERSATIONS;
  const channel = CHANNELS[c % CHANNELS.length] ?? 'telegram';
  return InboundEvent.parse({
    type: 'message',
    channel,
    eventId: `e${n}`,
    thread: { key: `t${c}`, kind: 'private' },
    sender: { channel, userId: `u${c}`, displayName: `User ${c}`, language: c % 4 === 0 ? 'zh' : 'en' },
    at: now - (MESSAGES - n) * 10,
    platformMessageId: String(n),
    text: `Message ${n}: my withdrawal ${c} to 0x52908400098527886E0F7030069857D2E4169EE7 is pending, please help.`,
  });
}

async function seed(store: ConversationStore): Promise<number> {
  const t0 = performance.now();
  const now = Date.now();
  const BATCH = 1000;
  let next = 0;
  const worker = async () => {
    while (next < MESSAGES) {
      const start = next;
      next = Math.min(MESSAGES, next + BATCH);
      const batch: Array<Promise<unknown>> = [];
      for (let n = start; n < next; n++) batch.push(store.ingest(event(n, now), {}, now));
      await Promise.all(batch);
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  return (performance.now() - t0) / 1000;
}

/** Some work in progress, so the filters select something: assignees, statuses, tags, priorities. */
async function shape(store: ConversationStore, agentIds: string[]): Promise<void> {
  const page = await store.list({}, { limit: 200 });
  let cursor = page.cursor;
  const ids = page.conversations.map((c) => c.id);
  while (cursor && ids.length < 20_000) {
    const more = await store.list({}, { limit: 200, cursor });
    ids.push(...more.conversations.map((c) => c.id));
    cursor = more.cursor;
  }
  for (let i = 0; i < ids.length; i += 200) {
    await Promise.all(
      ids.slice(i, i + 200).map((id, j) => {
        const k = i + j;
        return store.update(id, {
          assignee: agentIds[k % agentIds.length] ?? null,
          owner: 'agent',
          ...(k % 3 === 0 ? { status: 'pending' as const } : {}),
          ...(k % 5 === 0 ? { addTags: ['vip'] } : {}),
          ...(k % 7 === 0 ? { priority: 'high' as const } : {}),
        });
      }),
    );
  }
}

async function sse(url: string, cookie: string, onEvent: (data: string) => void) {
  const controller = new AbortController();
  const res = await fetch(url, { headers: { cookie }, signal: controller.signal });
  const reader = res.body?.getReader();
  if (!reader) throw new Error('no event stream');
  const decoder = new TextDecoder();
  let buffer = '';
  const pump = (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block.split('\n').find((l) => l.startsWith('data: '));
          if (data) onEvent(data.slice(6));
          end = buffer.indexOf('\n\n');
        }
      }
    } catch {
      // aborted at the end
    }
  })();
  return {
    close: () => {
      controller.abort();
      return pump;
    },
  };
}

export async function run(): Promise<Record<string, number | string>> {
  const server = await benchRedis();
  const redis = connectRedis({ url: server.url }, 'bench-inbox');
  const prefix = `bench-inbox-${Date.now()}`;
  const store = new ConversationStore(redis, { prefix, shards: 16, dedupeSeconds: 60, streamMaxLen: 1000 });
  const live = new LivePublisher(redis, store.keys);
  const inbox = await buildInbox({
    redis,
    store,
    live,
    metrics: new Metrics(),
    health: () => ({ ok: true, redis: redis.status, channels: {} }),
    config: { host: '127.0.0.1', port: 0 },
    logger: pino({ level: 'silent' }),
    liveBlockMs: 1000,
  });
  try {
    const seedSeconds = await seed(store);
    const agents = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        inbox.inbox.users.create({ username: `agent${i}`, role: 'agent', password: PASSWORD }),
      ),
    );
    await shape(
      store,
      agents.map((a) => a.id),
    );
    const address = await inbox.app.listen({ host: '127.0.0.1', port: 0 });
    const login = await fetch(`${address}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'agent0', password: PASSWORD }),
    });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';

    const queries = [
      '',
      'status=open',
      'status=pending',
      'mine=true',
      'unassigned=true',
      'channel=wechat',
      'tag=vip',
      'priority=high',
      'language=zh&status=open',
      'mine=true&status=pending',
    ];
    const timings: number[] = [];
    const perQuery: Array<[string, string]> = [];
    for (const q of queries) {
      const own: number[] = [];
      let cursor = '';
      for (let i = 0; i < REQUESTS_PER_QUERY; i++) {
        const t0 = performance.now();
        const res = await fetch(
          `${address}/api/conversations?limit=50&${q}${cursor ? `&cursor=${cursor}` : ''}`,
          { headers: { cookie } },
        );
        const body = (await res.json()) as { cursor?: string };
        own.push(performance.now() - t0);
        // Every fifth request turns the page, as an agent scrolling does.
        cursor = i % 5 === 4 ? '' : (body.cursor ?? '');
      }
      own.sort((a, b) => a - b);
      timings.push(...own);
      perQuery.push([
        q || '(no filter)',
        `p50 ${round(percentile(own, 50), 1)} ms, p95 ${round(percentile(own, 95), 1)} ms`,
      ]);
    }
    timings.sort((a, b) => a - b);
    const search: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now();
      await (
        await fetch(`${address}/api/conversations?limit=50&q=withdrawal%20${99_000 + i}`, {
          headers: { cookie },
        })
      ).json();
      search.push(performance.now() - t0);
    }
    search.sort((a, b) => a - b);

    const delays: number[] = [];
    const clients = await Promise.all(
      Array.from({ length: CLIENTS }, () =>
        sse(`${address}/api/events`, cookie, (data) => {
          const parsed: unknown = JSON.parse(data);
          const at = typeof parsed === 'object' && parsed !== null ? Reflect.get(parsed, 'at') : undefined;
          if (typeof at === 'number') delays.push(Date.now() - at);
        }),
      ),
    );
    await new Promise((r) => setTimeout(r, 500));
    for (let i = 0; i < LIVE_EVENTS; i++) {
      await live.publish({ type: 'conversation', conversationId: '0-1', data: { status: 'open', n: i } });
      await new Promise((r) => setTimeout(r, 10));
    }
    const expected = CLIENTS * LIVE_EVENTS;
    const deadline = Date.now() + 10_000;
    while (delays.length < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    for (const c of clients) await c.close();
    delays.sort((a, b) => a - b);

    const figures = {
      bench: 'inbox',
      listP50Ms: round(percentile(timings, 50), 2),
      listP95Ms: round(percentile(timings, 95), 2),
      searchP95Ms: round(percentile(search, 95), 1),
      fanoutP50Ms: round(percentile(delays, 50), 1),
      fanoutP99Ms: round(percentile(delays, 99), 1),
      fanoutDelivered: delays.length,
      fanoutExpected: expected,
      conversations: CONVERSATIONS,
      messages: MESSAGES,
      seedSeconds: round(seedSeconds, 1),
    };
    printFigures(
      `inbox: ${CONVERSATIONS.toLocaleString('en-US')} conversations, ${MESSAGES.toLocaleString('en-US')} messages`,
      [
        ...perQuery,
        [
          'list p50 / p95 (all queries)',
          `${figures.listP50Ms} / ${figures.listP95Ms} ms (target p95 < 50 ms)`,
        ],
        ['full-text search p95 (bounded scan)', `${figures.searchP95Ms} ms`],
        [
          `fan-out to ${CLIENTS} SSE clients`,
          `p50 ${figures.fanoutP50Ms} ms, p99 ${figures.fanoutP99Ms} ms (target < 250 ms)`,
        ],
        ['events delivered', `${delays.length} / ${expected}`],
        ['seeding', `${figures.seedSeconds} s`],
      ],
    );
    jsonLine(figures);
    return figures;
  } finally {
    await inbox.close();
    await redis
      .eval(
        "for _, k in ipairs(redis.call('KEYS', ARGV[1])) do redis.call('UNLINK', k) end",
        0,
        `${prefix}:*`,
      )
      .catch(() => undefined);
    redis.disconnect();
    await server.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
