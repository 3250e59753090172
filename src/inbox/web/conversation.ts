/** The open conversation: header with assignment, status, priority and tags; history; reply box. */
import { api } from './api.ts';
import { renderComposer } from './composer.ts';
import { h, replace, toast } from './dom.ts';
import { t } from './i18n.ts';
import { renderMessage } from './messages.ts';
import { nameOf, personOf, state } from './state.ts';
import type { Conversation, Message } from './types.ts';

interface Loaded {
  conversation: Conversation;
  messages: Message[];
}

let current: Loaded | undefined;

export function currentConversation(): Conversation | undefined {
  return current?.conversation;
}

async function act(path: string, body?: unknown): Promise<void> {
  if (!current) return;
  try {
    await api('POST', `/api/conversations/${current.conversation.id}/${path}`, body);
  } catch (error) {
    toast(error instanceof Error ? error.message : String(error), 'warn');
  }
}

export const actions = {
  claim: () => act('claim'),
  unassign: () => act('unassign'),
  assign: (userId: string) => act('assign', { userId }),
  status: (status: string, snoozedUntil?: number) =>
    act('status', { status, ...(snoozedUntil ? { snoozedUntil } : {}) }),
  priority: (priority: string) => act('priority', { priority }),
};

function header(c: Conversation): HTMLElement {
  const assign = h(
    'select',
    {
      'data-test': 'assign',
      onchange: (e: Event) => {
        const value = (e.target as HTMLSelectElement).value;
        if (value) void actions.assign(value);
      },
    },
    h('option', { value: '' }, t('assignTo')),
    ...state.directory.map((u) =>
      h('option', { value: u.id, selected: u.id === c.assignee }, `${u.name} (@${u.username})`),
    ),
  );
  const priority = h(
    'select',
    {
      'data-test': 'priority',
      title: t('priority'),
      onchange: (e: Event) => void actions.priority((e.target as HTMLSelectElement).value),
    },
    ...['low', 'normal', 'high', 'urgent'].map((p) =>
      h('option', { value: p, selected: p === c.priority }, p),
    ),
  );
  const tags = h('input', {
    'data-test': 'tags',
    placeholder: t('tags'),
    value: c.tags.join(', '),
    onchange: (e: Event) => {
      const next = (e.target as HTMLInputElement).value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      void act('tags', {
        add: next.filter((x) => !c.tags.includes(x)),
        remove: c.tags.filter((x) => !next.includes(x)),
      });
    },
  });
  const statusButtons = (['open', 'pending', 'resolved'] as const).map((s) =>
    h(
      'button',
      {
        type: 'button',
        class: c.status === s ? 'active' : '',
        'data-test': `status-${s}`,
        onclick: () => void actions.status(s),
      },
      t(s),
    ),
  );
  const snooze = h(
    'button',
    {
      type: 'button',
      class: c.status === 'snoozed' ? 'active' : '',
      'data-test': 'status-snoozed',
      onclick: () => void actions.status('snoozed', Date.now() + 3600_000),
    },
    t('snooze1h'),
  );
  return h(
    'header',
    { class: 'conversation-header' },
    h(
      'div',
      { class: 'title' },
      h('span', { class: `badge channel-${c.channel}` }, c.channel),
      h('h2', { 'data-test': 'conversation-title' }, personOf(c)),
      c.participant.handle ? h('span', { class: 'handle' }, `@${c.participant.handle}`) : null,
      c.ticket ? h('span', { class: 'ticket' }, `${t('ticket')} ${c.ticket}`) : null,
      c.unreachable
        ? h(
            'span',
            { class: 'unreachable', 'data-test': 'unreachable', title: c.unreachable },
            `${t('unreachable')} (${c.unreachable})`,
          )
        : null,
    ),
    h(
      'div',
      { class: 'controls' },
      h(
        'span',
        { class: 'assignee', 'data-test': 'assignee' },
        c.assignee ? `${t('assignedTo')} ${nameOf(c.assignee)}` : t('unassignedLabel'),
      ),
      c.assignee === state.me?.id
        ? h(
            'button',
            { type: 'button', 'data-test': 'unassign', onclick: () => void actions.unassign() },
            t('unassign'),
          )
        : h(
            'button',
            { type: 'button', 'data-test': 'claim', onclick: () => void actions.claim() },
            t('claim'),
          ),
      assign,
      h(
        'span',
        { class: 'status-group', 'data-test': 'status', 'data-status': c.status },
        ...statusButtons,
        snooze,
      ),
      priority,
      tags,
    ),
    h('div', { class: 'typing', id: 'typing', 'data-test': 'typing' }),
  );
}

export async function openConversation(panel: HTMLElement, id: string, onChange: () => void): Promise<void> {
  const loaded = await api<Loaded>('GET', `/api/conversations/${id}?limit=50`);
  const first = current?.conversation.id !== id;
  current = loaded;
  const history = h('div', { class: 'history', 'data-test': 'history' });
  const older = h(
    'button',
    { type: 'button', class: 'older', onclick: () => void loadOlder(older) },
    t('loadOlder'),
  );
  if (loaded.messages.length < 50) older.hidden = true;
  replace(history, older, ...loaded.messages.map(renderMessage));
  const composer =
    first || !panel.querySelector('.composer')
      ? renderComposer(id, onChange)
      : panel.querySelector('.composer');
  replace(panel, header(loaded.conversation), history, composer);
  history.scrollTop = history.scrollHeight;
  renderTyping();
  if (loaded.conversation.unread > 0)
    await api('POST', `/api/conversations/${id}/read`).catch(() => undefined);
}

async function loadOlder(button: HTMLButtonElement): Promise<void> {
  if (!current) return;
  const oldest = current.messages[0]?.seq;
  if (!oldest || oldest <= 1) {
    button.hidden = true;
    return;
  }
  const { messages } = await api<{ messages: Message[] }>(
    'GET',
    `/api/conversations/${current.conversation.id}/messages?before=${oldest}&limit=50`,
  );
  current.messages = [...messages, ...current.messages];
  button.after(...messages.map(renderMessage));
  if (messages.length < 50) button.hidden = true;
}

export function renderTyping(): void {
  const box = document.getElementById('typing');
  if (!box || !current) return;
  const who = state.typing.get(current.conversation.id);
  replace(box, who && who.until > Date.now() ? `${who.name} ${t('typing')}` : '');
}

export function closeConversation(): void {
  current = undefined;
}
