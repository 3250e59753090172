/** The page: login, the three views, live updates over SSE, keyboard shortcuts. */
import { renderAdmin } from './admin.ts';
import { ApiError, api, setCsrf } from './api.ts';
import { focusComposer } from './composer.ts';
import {
  actions,
  closeConversation,
  currentConversation,
  openConversation,
  renderTyping,
} from './conversation.ts';
import { h, replace, toast } from './dom.ts';
import { lang, t, toggleLang } from './i18n.ts';
import { refreshList, renderFilters } from './list.ts';
import { renderModeration } from './moderation.ts';
import { personOf, state } from './state.ts';
import type { LiveEvent, User } from './types.ts';

type View = 'inbox' | 'moderation' | 'admin';
const root = document.getElementById('root') ?? document.body;
let view: View = 'inbox';
let events: EventSource | undefined;
const listPanel = h('div', { class: 'list-panel' });
const conversationPanel = h('section', { class: 'conversation-panel', 'data-test': 'conversation' });
const handlers = { open: (id: string) => void select(id) };

async function select(id: string): Promise<void> {
  state.selected = id;
  await openConversation(conversationPanel, id, () => void reloadOpen());
  await refreshList(listPanel, handlers);
}

async function reloadOpen(): Promise<void> {
  if (state.selected) await openConversation(conversationPanel, state.selected, () => void reloadOpen());
}

function showLogin(message = ''): void {
  events?.close();
  const username = h('input', {
    id: 'login-username',
    autocomplete: 'username',
    placeholder: t('username'),
    required: true,
  });
  const password = h('input', {
    id: 'login-password',
    type: 'password',
    autocomplete: 'current-password',
    placeholder: t('password'),
    required: true,
  });
  const error = h('p', { class: 'error', 'data-test': 'login-error' }, message);
  replace(
    root,
    h(
      'form',
      {
        class: 'login',
        onsubmit: async (e: Event) => {
          e.preventDefault();
          try {
            const result = await api<{ user: User; csrfToken: string }>('POST', '/api/auth/login', {
              username: username.value,
              password: password.value,
            });
            setCsrf(result.csrfToken);
            await start(result.user);
          } catch (err) {
            replace(
              error,
              err instanceof ApiError && err.status === 401
                ? t('badLogin')
                : err instanceof Error
                  ? err.message
                  : String(err),
            );
          }
        },
      },
      h('h1', {}, t('appName')),
      username,
      password,
      h('button', { type: 'submit', id: 'login-submit', class: 'primary' }, t('login')),
      error,
      h(
        'button',
        {
          type: 'button',
          class: 'link',
          onclick: () => {
            toggleLang();
            showLogin();
          },
        },
        t('language'),
      ),
    ),
  );
  username.focus();
}

async function start(me: User): Promise<void> {
  state.me = me;
  state.directory = (await api<{ users: User[] }>('GET', '/api/directory')).users;
  renderShell();
  connectEvents();
}

function renderShell(): void {
  const me = state.me;
  if (!me) return;
  const tabs: View[] = [
    'inbox',
    ...(me.role !== 'agent' ? (['moderation'] as const) : []),
    ...(me.role === 'admin' ? (['admin'] as const) : []),
  ];
  const main = h('main', { class: `view-${view}` });
  replace(
    root,
    h(
      'nav',
      { class: 'top' },
      h('strong', { class: 'brand' }, t('appName')),
      ...tabs.map((tab) =>
        h(
          'button',
          {
            type: 'button',
            class: tab === view ? 'tab active' : 'tab',
            'data-test': `tab-${tab}`,
            onclick: () => {
              view = tab;
              renderShell();
            },
          },
          t(tab),
        ),
      ),
      h('span', { class: 'spacer' }),
      h('span', { class: 'me', 'data-test': 'me' }, `${me.name} · ${me.role}`),
      h(
        'button',
        {
          type: 'button',
          'data-test': 'lang',
          onclick: () => {
            toggleLang();
            renderShell();
          },
        },
        t('language'),
      ),
      h(
        'button',
        {
          type: 'button',
          'data-test': 'logout',
          onclick: async () => {
            await api('POST', '/api/auth/logout').catch(() => undefined);
            state.me = undefined;
            showLogin();
          },
        },
        t('logout'),
      ),
    ),
    main,
    h('div', { id: 'toasts' }),
  );
  document.documentElement.lang = lang() === 'zh' ? 'zh-CN' : 'en';
  if (view === 'inbox') {
    replace(
      main,
      h(
        'aside',
        { class: 'sidebar' },
        renderFilters(() => void refreshList(listPanel, handlers)),
        listPanel,
      ),
      conversationPanel,
    );
    if (!state.selected)
      replace(
        conversationPanel,
        h('p', { class: 'empty' }, t('pick')),
        h('p', { class: 'hint' }, t('shortcuts')),
      );
    else void reloadOpen();
    void refreshList(listPanel, handlers);
  } else if (view === 'moderation') void renderModeration(main);
  else void renderAdmin(main);
}

function connectEvents(): void {
  events?.close();
  events = new EventSource('/api/events');
  let timer: ReturnType<typeof setTimeout> | undefined;
  const refreshSoon = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (view === 'inbox') void refreshList(listPanel, handlers);
    }, 50);
  };
  const onEvent = (raw: MessageEvent) => {
    const event: LiveEvent = JSON.parse(String(raw.data));
    const open = event.conversationId !== undefined && event.conversationId === state.selected;
    if (event.type === 'typing' && event.conversationId && event.data.by !== state.me?.id) {
      state.typing.set(event.conversationId, {
        name: String(event.data.name ?? ''),
        until: Date.now() + 5000,
      });
      renderTyping();
      setTimeout(renderTyping, 5100);
      return;
    }
    if (event.type === 'alert' && event.data.kind === 'mention')
      toast(`${String(event.data.by ?? '')} ${t('mentionedYou')}`);
    if (event.type === 'sla' && event.conversationId) {
      const label = `${String(event.data.clock ?? '')} ${String(event.data.phase ?? '')}`.trim();
      state.sla.set(event.conversationId, label);
      const who = state.conversations.find((c) => c.id === event.conversationId);
      toast(`${t('sla')}: ${label}${who ? ` — ${personOf(who)}` : ''}`, 'warn');
    }
    if (event.type === 'message' && event.conversationId) state.typing.delete(event.conversationId);
    if (
      open &&
      view === 'inbox' &&
      (event.type === 'message' || event.type === 'conversation' || event.type === 'delivery')
    )
      void reloadOpen();
    refreshSoon();
  };
  for (const type of ['message', 'conversation', 'typing', 'sla', 'delivery', 'alert'])
    events.addEventListener(type, onEvent);
  events.addEventListener('error', async () => {
    // EventSource reconnects by itself; a lost session needs the login page instead.
    if (events?.readyState === EventSource.CLOSED) {
      const me = await api('GET', '/api/auth/me').catch(() => undefined);
      if (!me) showLogin();
      else connectEvents();
    }
  });
}

function move(step: number): void {
  const list = state.conversations;
  if (list.length === 0) return;
  const at = list.findIndex((c) => c.id === state.selected);
  const next = list[Math.min(Math.max(at + step, 0), list.length - 1)];
  if (next) void select(next.id);
}

document.addEventListener('keydown', (e) => {
  const target = e.target;
  if (
    target instanceof HTMLInputElement ||
    target instanceof HTMLTextAreaElement ||
    target instanceof HTMLSelectElement
  )
    return;
  if (e.ctrlKey || e.metaKey || e.altKey || !state.me || view !== 'inbox') return;
  const open = currentConversation();
  const keys: Record<string, () => void> = {
    j: () => move(1),
    k: () => move(-1),
    r: () => focusComposer('reply'),
    n: () => focusComposer('note'),
    c: () => void actions.claim(),
    e: () => void actions.status('resolved'),
    '/': () => document.getElementById('search')?.focus(),
    '?': () => toast(t('shortcuts')),
    Escape: () => {
      state.selected = undefined;
      closeConversation();
      renderShell();
    },
  };
  const run = keys[e.key];
  if (!run || (!open && 'rnce'.includes(e.key))) return;
  e.preventDefault();
  run();
});

(async () => {
  try {
    const me = await api<{ user: User; csrfToken: string }>('GET', '/api/auth/me');
    setCsrf(me.csrfToken);
    await start(me.user);
  } catch {
    showLogin();
  }
})();
