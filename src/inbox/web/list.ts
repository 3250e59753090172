/** The conversation list: filters, search, channel badges, unread counts. */
import { api } from './api.ts';
import { h, replace, timeOf } from './dom.ts';
import { t } from './i18n.ts';
import { nameOf, personOf, state } from './state.ts';
import type { Conversation } from './types.ts';

export interface ListHandlers {
  open(id: string): void;
}

let refreshing: Promise<void> | undefined;
let again = false;

export function listQuery(): string {
  const params = new URLSearchParams({ limit: '100' });
  if (state.filter.view === 'mine') params.set('mine', 'true');
  if (state.filter.view === 'unassigned') params.set('unassigned', 'true');
  if (state.filter.status) params.set('status', state.filter.status);
  if (state.filter.q) params.set('q', state.filter.q);
  return params.toString();
}

/** Reloads the list; calls arriving during a reload coalesce into one more. */
export async function refreshList(panel: HTMLElement, handlers: ListHandlers): Promise<void> {
  if (refreshing) {
    again = true;
    return refreshing;
  }
  refreshing = (async () => {
    do {
      again = false;
      const page = await api<{ conversations: Conversation[]; cursor?: string }>(
        'GET',
        `/api/conversations?${listQuery()}`,
      );
      state.conversations = page.conversations;
      state.cursor = page.cursor;
      renderList(panel, handlers);
    } while (again);
  })().finally(() => {
    refreshing = undefined;
  });
  return refreshing;
}

export function renderFilters(onChange: () => void): HTMLElement {
  const view = h(
    'select',
    {
      'data-test': 'filter-view',
      onchange: (e: Event) => {
        const v = (e.target as HTMLSelectElement).value;
        state.filter.view = v === 'mine' || v === 'unassigned' ? v : 'all';
        onChange();
      },
    },
    ...(['all', 'mine', 'unassigned'] as const).map((v) =>
      h('option', { value: v, selected: state.filter.view === v }, t(v)),
    ),
  );
  const status = h(
    'select',
    {
      'data-test': 'filter-status',
      onchange: (e: Event) => {
        state.filter.status = (e.target as HTMLSelectElement).value;
        onChange();
      },
    },
    h('option', { value: '', selected: state.filter.status === '' }, t('anyStatus')),
    ...(['open', 'pending', 'snoozed', 'resolved'] as const).map((s) =>
      h('option', { value: s, selected: state.filter.status === s }, t(s)),
    ),
  );
  let timer: ReturnType<typeof setTimeout> | undefined;
  const search = h('input', {
    id: 'search',
    type: 'search',
    placeholder: t('search'),
    value: state.filter.q,
    'data-test': 'search',
    oninput: (e: Event) => {
      clearTimeout(timer);
      const value = (e.target as HTMLInputElement).value.trim();
      timer = setTimeout(() => {
        state.filter.q = value;
        onChange();
      }, 250);
    },
  });
  return h('div', { class: 'filters' }, view, status, search);
}

export function renderList(panel: HTMLElement, handlers: ListHandlers): void {
  if (state.conversations.length === 0) {
    replace(panel, h('p', { class: 'empty' }, t('noConversations')));
    return;
  }
  replace(
    panel,
    h(
      'ul',
      { class: 'conversations', 'data-test': 'conversation-list' },
      ...state.conversations.map((c) =>
        h(
          'li',
          {
            class: `conversation${c.id === state.selected ? ' selected' : ''}`,
            'data-id': c.id,
            'data-test': 'conversation-item',
            onclick: () => handlers.open(c.id),
          },
          h('span', { class: `badge channel-${c.channel}` }, c.channel),
          h('span', { class: 'who', 'data-test': 'conversation-name' }, personOf(c)),
          c.unread > 0 && c.id !== state.selected
            ? h('span', { class: 'unread', 'data-test': 'unread' }, c.unread)
            : null,
          h(
            'div',
            { class: 'meta' },
            h('span', { class: `status status-${c.status}` }, t(c.status)),
            c.priority !== 'normal'
              ? h('span', { class: `priority priority-${c.priority}` }, c.priority)
              : null,
            state.sla.has(c.id) && c.status !== 'resolved'
              ? h(
                  'span',
                  { class: 'sla', 'data-test': 'sla', title: state.sla.get(c.id) ?? '' },
                  `⏰ ${state.sla.get(c.id) ?? ''}`,
                )
              : null,
            h('span', { class: 'assignee' }, c.assignee ? nameOf(c.assignee) : t('unassignedLabel')),
            h('time', {}, timeOf(c.lastMessageAt)),
          ),
        ),
      ),
    ),
  );
}
