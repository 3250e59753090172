/** The moderator console: flag and unflag, the report queue, alerts, and a check box. */
import { api } from './api.ts';
import { h, replace, timeOf, toast } from './dom.ts';
import { t } from './i18n.ts';
import type { Entity, Message, Participant } from './types.ts';

interface FlagEntry {
  kind: string;
  value: string;
  reason: string;
  by: string;
  at: number;
  channel?: string;
}
interface Report {
  id: string;
  kind: string;
  value: string;
  note?: string;
  reporter: { channel: string; userId: string };
  at: number;
}

const KINDS = ['account', 'handle', 'domain', 'phone', 'address', 'email'];

function failed(error: unknown): void {
  toast(error instanceof Error ? error.message : String(error), 'warn');
}

export async function renderModeration(panel: HTMLElement): Promise<void> {
  const [flags, reports, alerts] = await Promise.all([
    api<{ flags: FlagEntry[] }>('GET', '/api/flags').catch(() => ({ flags: [] })),
    api<{ reports: Report[] }>('GET', '/api/reports').catch(() => ({ reports: [] })),
    api<{ alerts: Array<{ conversationId: string; participant?: Participant; message: Message }> }>(
      'GET',
      '/api/alerts',
    ).catch(() => ({ alerts: [] })),
  ]);
  const reload = () => void renderModeration(panel);

  const kind = h('select', { 'data-test': 'flag-kind' }, ...KINDS.map((k) => h('option', { value: k }, k)));
  const value = h('input', { 'data-test': 'flag-value', placeholder: t('value'), required: true });
  const reason = h('input', { 'data-test': 'flag-reason', placeholder: t('reason'), required: true });
  const flagForm = h(
    'form',
    {
      class: 'inline-form',
      onsubmit: async (e: Event) => {
        e.preventDefault();
        try {
          await api('POST', '/api/flags', { kind: kind.value, value: value.value, reason: reason.value });
          reload();
        } catch (error) {
          failed(error);
        }
      },
    },
    kind,
    value,
    reason,
    h('button', { type: 'submit', class: 'primary', 'data-test': 'flag-submit' }, t('flag')),
  );

  const checkInput = h('input', { 'data-test': 'check-input', placeholder: 'example.com, @handle, 0x…' });
  const checkResult = h('div', { class: 'check-result', 'data-test': 'check-result' });
  const checkForm = h(
    'form',
    {
      class: 'inline-form',
      onsubmit: async (e: Event) => {
        e.preventDefault();
        try {
          const result = await api<{ entities: Entity[] }>('POST', '/api/check', { text: checkInput.value });
          replace(
            checkResult,
            result.entities.length === 0
              ? h('p', {}, t('nothing'))
              : h(
                  'ul',
                  {},
                  ...result.entities.map((en) =>
                    h(
                      'li',
                      { class: `verdict-${en.verdict}` },
                      h('code', {}, en.value),
                      ` ${en.kind}: ${en.verdict}${en.target ? ` → ${en.target}` : ''}`,
                      en.reasons.length ? ` — ${en.reasons.join('; ')}` : '',
                    ),
                  ),
                ),
          );
        } catch (error) {
          failed(error);
        }
      },
    },
    checkInput,
    h('button', { type: 'submit' }, t('checkButton')),
  );

  replace(
    panel,
    h('section', { class: 'card' }, h('h3', {}, t('check')), checkForm, checkResult),
    h(
      'section',
      { class: 'card' },
      h('h3', {}, t('reports')),
      reports.reports.length === 0
        ? h('p', { class: 'empty' }, t('nothing'))
        : h(
            'ul',
            { class: 'reports', 'data-test': 'reports' },
            ...reports.reports.map((r) =>
              h(
                'li',
                { 'data-test': 'report' },
                h('code', {}, `${r.kind}: ${r.value}`),
                ` · ${r.reporter.channel}:${r.reporter.userId} · ${timeOf(r.at)}`,
                r.note ? h('div', { class: 'note-text' }, r.note) : null,
                h(
                  'button',
                  {
                    type: 'button',
                    class: 'primary',
                    'data-test': 'report-accept',
                    onclick: async () => {
                      await api('POST', `/api/reports/${r.id}/decision`, { accept: true }).catch(failed);
                      reload();
                    },
                  },
                  t('accept'),
                ),
                h(
                  'button',
                  {
                    type: 'button',
                    'data-test': 'report-reject',
                    onclick: async () => {
                      await api('POST', `/api/reports/${r.id}/decision`, { accept: false }).catch(failed);
                      reload();
                    },
                  },
                  t('reject'),
                ),
              ),
            ),
          ),
    ),
    h(
      'section',
      { class: 'card' },
      h('h3', {}, t('flags')),
      flagForm,
      h(
        'table',
        { class: 'flags', 'data-test': 'flags' },
        h(
          'tr',
          {},
          h('th', {}, t('kind')),
          h('th', {}, t('value')),
          h('th', {}, t('reason')),
          h('th', {}, ''),
          h('th', {}, ''),
        ),
        ...flags.flags.map((f) =>
          h(
            'tr',
            { 'data-test': 'flag-row' },
            h('td', {}, f.kind),
            h('td', {}, h('code', {}, f.value)),
            h('td', {}, f.reason),
            h('td', {}, `${f.by} · ${timeOf(f.at)}`),
            h(
              'td',
              {},
              h(
                'button',
                {
                  type: 'button',
                  'data-test': 'unflag',
                  onclick: async () => {
                    await api('POST', '/api/flags/remove', { kind: f.kind, value: f.value }).catch(failed);
                    reload();
                  },
                },
                t('unflag'),
              ),
            ),
          ),
        ),
      ),
    ),
    h(
      'section',
      { class: 'card' },
      h('h3', {}, t('alerts')),
      alerts.alerts.length === 0
        ? h('p', { class: 'empty' }, t('nothing'))
        : h(
            'ul',
            { class: 'alerts', 'data-test': 'alerts' },
            ...alerts.alerts.map((a) =>
              h(
                'li',
                {},
                h('strong', {}, a.participant?.displayName ?? a.participant?.userId ?? a.conversationId),
                ` · ${timeOf(a.message.createdAt)}: `,
                h('span', { class: 'text' }, a.message.text.slice(0, 200)),
                h(
                  'ul',
                  {},
                  ...a.message.entities
                    .filter((e) => e.verdict === 'flagged' || e.verdict === 'lookalike')
                    .map((e) =>
                      h(
                        'li',
                        { class: `verdict-${e.verdict}` },
                        h('code', {}, e.value),
                        ` ${e.verdict}${e.target ? ` → ${e.target}` : ''}`,
                      ),
                    ),
                ),
              ),
            ),
          ),
    ),
  );
}
