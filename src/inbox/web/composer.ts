/**
 * The reply box: reply or private note, canned responses found by typing `/`, a button that
 * puts a verification code in the reply, typing signals to colleagues, Ctrl+Enter to send.
 */
import { api } from './api.ts';
import { h, replace, toast } from './dom.ts';
import { t } from './i18n.ts';

interface Canned {
  id: string;
  shortcut: string;
  title: string;
  text: string;
}

let cannedCache: Canned[] | undefined;

export function forgetCanned(): void {
  cannedCache = undefined;
}

export function renderComposer(conversationId: string, onSent: () => void): HTMLElement {
  let mode: 'reply' | 'note' = 'reply';
  let lastTyping = 0;
  const box = h('textarea', {
    id: 'composer',
    rows: 4,
    placeholder: t('replyPlaceholder'),
    'data-test': 'composer',
  });
  const suggestions = h('ul', { class: 'suggestions', 'data-test': 'canned-suggestions', hidden: true });
  const modeButtons = (['reply', 'note'] as const).map((m) =>
    h(
      'button',
      {
        type: 'button',
        class: m === mode ? 'mode active' : 'mode',
        'data-test': `mode-${m}`,
        onclick: () => setMode(m),
      },
      t(m),
    ),
  );
  const root = h('div', { class: 'composer mode-reply' });

  function setMode(next: 'reply' | 'note'): void {
    mode = next;
    root.className = `composer mode-${mode}`;
    box.placeholder = t(mode === 'reply' ? 'replyPlaceholder' : 'notePlaceholder');
    for (const [i, b] of modeButtons.entries())
      b.classList.toggle('active', (i === 0 ? 'reply' : 'note') === mode);
    box.focus();
  }

  async function send(): Promise<void> {
    const text = box.value.trim();
    if (!text) return;
    try {
      await api('POST', `/api/conversations/${conversationId}/${mode === 'reply' ? 'reply' : 'notes'}`, {
        text,
        idempotencyKey: crypto.randomUUID().replaceAll('-', ''),
      });
      box.value = '';
      onSent();
    } catch (error) {
      toast(error instanceof Error ? error.message : String(error), 'warn');
    }
  }

  async function showCanned(term: string): Promise<void> {
    cannedCache ??= (await api<{ items: Canned[] }>('GET', '/api/canned')).items;
    const needle = term.toLowerCase();
    const hits = cannedCache
      .filter((c) => c.shortcut.toLowerCase().includes(needle) || c.title.toLowerCase().includes(needle))
      .slice(0, 8);
    suggestions.hidden = hits.length === 0;
    replace(
      suggestions,
      ...hits.map((c, i) =>
        h(
          'li',
          {
            class: i === 0 ? 'active' : '',
            'data-id': c.id,
            'data-test': 'canned-item',
            onmousedown: (e: Event) => {
              e.preventDefault();
              void useCanned(c.id);
            },
          },
          h('strong', {}, `/${c.shortcut}`),
          ` ${c.title}`,
        ),
      ),
    );
  }

  async function useCanned(id: string): Promise<void> {
    const { text } = await api<{ text: string }>('GET', `/api/conversations/${conversationId}/canned/${id}`);
    box.value = text;
    suggestions.hidden = true;
    box.focus();
  }

  box.addEventListener('input', () => {
    const match = /^\/(\S*)$/.exec(box.value);
    if (match && mode === 'reply') void showCanned(match[1] ?? '');
    else suggestions.hidden = true;
    if (Date.now() - lastTyping > 3000) {
      lastTyping = Date.now();
      void api('POST', `/api/conversations/${conversationId}/typing`).catch(() => undefined);
    }
  });
  box.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      void send();
    } else if (e.key === 'Enter' && !suggestions.hidden) {
      e.preventDefault();
      const first = suggestions.querySelector('li');
      const id = first?.getAttribute('data-id');
      if (id) void useCanned(id);
    } else if (e.key === 'Escape') {
      suggestions.hidden = true;
      box.blur();
    }
  });

  const codeButton = h(
    'button',
    {
      type: 'button',
      'data-test': 'verification-code',
      title: t('verificationCode'),
      onclick: async () => {
        try {
          const { code } = await api<{ code: string }>(
            'POST',
            `/api/conversations/${conversationId}/verification-code`,
          );
          box.value = `${box.value}${box.value && !box.value.endsWith(' ') ? ' ' : ''}${code}`;
          setMode('reply');
        } catch (error) {
          toast(error instanceof Error ? error.message : String(error), 'warn');
        }
      },
    },
    `🔐 ${t('verificationCode')}`,
  );
  const sendButton = h(
    'button',
    { type: 'button', class: 'primary', 'data-test': 'send', onclick: () => void send() },
    t('send'),
  );
  replace(
    root,
    h('div', { class: 'modes' }, ...modeButtons, codeButton),
    suggestions,
    box,
    h('div', { class: 'actions' }, sendButton),
  );
  return root;
}

export function focusComposer(mode: 'reply' | 'note'): void {
  const button = document.querySelector<HTMLButtonElement>(`[data-test="mode-${mode}"]`);
  button?.click();
  document.getElementById('composer')?.focus();
}
