/** The admin page: users and roles, channels' health (with a WeChat login QR code), audit log. */
import { api } from './api.ts';
import { h, replace, timeOf, toast } from './dom.ts';
import { t } from './i18n.ts';
import type { User } from './types.ts';

interface ChannelHealth {
  name: string;
  ok: boolean;
  detail: string;
  info?: Record<string, string>;
  qrSvg?: string;
}
interface AuditEntry {
  id: string;
  at: number;
  actor: string;
  role: string;
  action: string;
  target: string;
  ip: string;
  detail: string;
}

const ROLES = ['agent', 'moderator', 'admin'];

function failed(error: unknown): void {
  toast(error instanceof Error ? error.message : String(error), 'warn');
}

function qrImage(svg: string): HTMLImageElement {
  // An <img> of an SVG runs no script and loads nothing: the QR code cannot inject anything.
  const src = `data:image/svg+xml;base64,${btoa(unescape(encodeURIComponent(svg)))}`;
  return h('img', { class: 'qr', src, alt: t('scanToLogin'), 'data-test': 'qr' });
}

export async function renderAdmin(panel: HTMLElement): Promise<void> {
  const [users, health, audit] = await Promise.all([
    api<{ users: User[] }>('GET', '/api/users'),
    api<{ ok: boolean; redis: string; channels: ChannelHealth[] }>('GET', '/api/admin/health'),
    api<{ entries: AuditEntry[] }>('GET', '/api/audit?limit=100'),
  ]);
  const reload = () => void renderAdmin(panel);
  const username = h('input', { placeholder: t('username'), 'data-test': 'new-username', required: true });
  const name = h('input', { placeholder: t('name'), 'data-test': 'new-name' });
  const password = h('input', {
    type: 'password',
    placeholder: t('password'),
    'data-test': 'new-password',
    required: true,
    autocomplete: 'new-password',
  });
  const role = h('select', { 'data-test': 'new-role' }, ...ROLES.map((r) => h('option', { value: r }, r)));
  const create = h(
    'form',
    {
      class: 'inline-form',
      onsubmit: async (e: Event) => {
        e.preventDefault();
        try {
          await api('POST', '/api/users', {
            username: username.value,
            password: password.value,
            role: role.value,
            ...(name.value ? { name: name.value } : {}),
          });
          reload();
        } catch (error) {
          failed(error);
        }
      },
    },
    username,
    name,
    password,
    role,
    h('button', { type: 'submit', class: 'primary' }, t('createUser')),
  );
  replace(
    panel,
    h(
      'section',
      { class: 'card' },
      h('h3', {}, t('channels')),
      h('p', {}, `redis: ${health.redis}`),
      h(
        'ul',
        { class: 'channels', 'data-test': 'channels' },
        ...health.channels.map((c) =>
          h(
            'li',
            { class: c.ok ? 'ok' : 'down' },
            h('strong', {}, c.name),
            ` ${c.ok ? '●' : '○'} ${c.detail}`,
            c.info
              ? h(
                  'ul',
                  {},
                  ...Object.entries(c.info)
                    .filter(([k]) => k !== 'qrcode')
                    .map(([k, v]) => h('li', {}, `${k}: ${v}`)),
                )
              : null,
            c.qrSvg ? h('div', {}, h('p', {}, t('scanToLogin')), qrImage(c.qrSvg)) : null,
          ),
        ),
      ),
    ),
    h(
      'section',
      { class: 'card' },
      h('h3', {}, t('users')),
      create,
      h(
        'table',
        { 'data-test': 'users' },
        h(
          'tr',
          {},
          h('th', {}, t('username')),
          h('th', {}, t('name')),
          h('th', {}, t('role')),
          h('th', {}, ''),
        ),
        ...users.users.map((u) =>
          h(
            'tr',
            { 'data-test': 'user-row' },
            h('td', {}, u.username),
            h('td', {}, u.name),
            h(
              'td',
              {},
              h(
                'select',
                {
                  onchange: async (e: Event) => {
                    await api('PATCH', `/api/users/${u.id}`, {
                      role: (e.target as HTMLSelectElement).value,
                    }).catch(failed);
                    reload();
                  },
                },
                ...ROLES.map((r) => h('option', { value: r, selected: r === u.role }, r)),
              ),
            ),
            h(
              'td',
              {},
              h(
                'button',
                {
                  type: 'button',
                  onclick: async () => {
                    await api('PATCH', `/api/users/${u.id}`, { disabled: !u.disabled }).catch(failed);
                    reload();
                  },
                },
                u.disabled ? t('enable') : t('disable'),
              ),
            ),
          ),
        ),
      ),
    ),
    h(
      'section',
      { class: 'card' },
      h('h3', {}, t('audit')),
      h(
        'table',
        { class: 'audit', 'data-test': 'audit' },
        ...audit.entries.map((a) =>
          h(
            'tr',
            {},
            h('td', {}, timeOf(a.at)),
            h('td', {}, `${a.actor} (${a.role || '-'})`),
            h('td', {}, a.action),
            h('td', {}, a.target),
            h('td', {}, a.detail),
            h('td', {}, a.ip),
          ),
        ),
      ),
    ),
  );
}
