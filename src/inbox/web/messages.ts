/**
 * One message as the agent sees it: text as text, attachments as metadata, redacted
 * secrets as a marker, and a warning on every message whose entities were judged flagged
 * or lookalike, with the reasons.
 */
import { h, sizeOf, timeOf } from './dom.ts';
import { t } from './i18n.ts';
import type { Entity, Message } from './types.ts';

function warning(e: Entity): HTMLElement {
  const what = e.verdict === 'flagged' ? t('flagged') : `${t('lookalike')} ${e.target ?? ''}`;
  return h(
    'div',
    { class: `trust-warning verdict-${e.verdict}`, 'data-test': 'trust-warning' },
    h('strong', {}, `⚠ ${t('warning')}: `),
    h('code', {}, e.value),
    ` — ${what}`,
    e.reasons.length ? h('ul', {}, ...e.reasons.map((r) => h('li', {}, r))) : null,
  );
}

export function renderMessage(m: Message): HTMLElement {
  const warnings = m.entities.filter((e) => e.verdict === 'flagged' || e.verdict === 'lookalike');
  const classes = [
    'message',
    m.direction === 'in' ? 'inbound' : 'outbound',
    m.note ? 'note' : '',
    warnings.length ? 'suspicious' : '',
  ]
    .filter(Boolean)
    .join(' ');
  return h(
    'article',
    { class: classes, 'data-test': m.note ? 'note' : 'message', 'data-seq': m.seq },
    h(
      'header',
      {},
      h('span', { class: 'author', 'data-test': 'author' }, m.author.name ?? m.author.id),
      m.note ? h('span', { class: 'tag-note' }, t('privateNote')) : null,
      h('time', {}, timeOf(m.createdAt)),
      m.delivery
        ? h(
            'span',
            { class: `delivery delivery-${m.delivery.state}`, title: m.delivery.error ?? '' },
            m.delivery.state,
          )
        : null,
    ),
    h('div', { class: 'text', 'data-test': 'message-text' }, m.text),
    ...m.attachments.map((a) =>
      h(
        'div',
        { class: 'attachment', 'data-test': 'attachment' },
        `📎 ${a.type}`,
        a.name ? ` · ${a.name}` : '',
        a.mimeType ? ` · ${a.mimeType}` : '',
        a.size !== undefined ? ` · ${sizeOf(a.size)}` : '',
        a.caption ? h('div', { class: 'caption' }, a.caption) : null,
      ),
    ),
    ...m.redactions.map((r) =>
      h(
        'div',
        { class: 'redaction', 'data-test': 'redaction' },
        `🔒 ${r.kind} ${t('redacted')} (${r.length})`,
      ),
    ),
    ...warnings.map(warning),
  );
}
