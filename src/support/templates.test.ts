import { describe, expect, it } from 'vitest';
import { problems } from '../../test/support/support-data.ts';
import { TEMPLATE_PARAMS, Templates } from './templates.ts';

function completeTexts(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, params] of Object.entries(TEMPLATE_PARAMS)) {
    out[key] = `${key}${params.map((p) => ` {${p}}`).join('')}`;
  }
  return out;
}

describe('shipped templates', () => {
  const t = Templates.load('config/templates', { defaultLanguage: 'en' });

  it('have every key in English and Chinese', () => {
    expect(t.languages().sort()).toEqual(['en', 'zh']);
    expect(t.missing).toEqual([]);
  });

  it('render placeholders in each language', () => {
    expect(t.render('handoff.queued', 'en', { position: 3, minutes: 12 })).toContain('number 3 in line');
    expect(t.render('handoff.queued', 'zh', { position: 3, minutes: 12 })).toContain('第 3 位');
    expect(t.render('ticket.created', 'zh', { ticket: 'EX-104233' })).toContain('EX-104233');
    expect(t.render('button.skip', 'zh')).toBe('跳过');
  });

  it('warn about secrets where it matters', () => {
    expect(t.render('trust.secret-shield', 'en')).toMatch(/new wallet NOW/);
    expect(t.render('trust.secret-shield', 'zh')).toMatch(/新钱包/);
    expect(t.render('greeting', 'en', { org: 'Example Wallet' })).toMatch(
      /never ask for your recovery phrase/,
    );
  });

  it('fall back to the default language for an unknown one', () => {
    expect(t.render('button.skip', 'fr')).toBe('Skip');
  });
});

describe('Templates.fromData', () => {
  it('accepts nested keys and renders literal braces', () => {
    const en = { ...completeTexts(), 'faq.solved': 'use {{braces}}' };
    const t = Templates.fromData([{ language: 'en', data: en }], { defaultLanguage: 'en' });
    expect(t.render('faq.solved', 'en')).toBe('use {braces}');
    const nested = Templates.fromData(
      [
        { language: 'en', data: completeTexts() },
        { language: 'zh', data: { button: { skip: '跳过' } } },
      ],
      { defaultLanguage: 'en' },
    );
    expect(nested.render('button.skip', 'zh')).toBe('跳过');
    expect(nested.render('button.human', 'zh')).toBe('button.human');
    expect(nested.missing).toContainEqual({ language: 'zh', key: 'button.human' });
  });

  it.each([
    ['an unknown key', { 'button.skipp': 'x' }, 'button.skipp: unknown key'],
    [
      'an unknown placeholder',
      { 'handoff.queued': '{position} {eta} {minutes}' },
      'handoff.queued: unknown placeholder {eta} (allowed: position, minutes)',
    ],
    [
      'a missing placeholder',
      { 'handoff.queued': 'You are number {position}' },
      'handoff.queued: placeholder {minutes} is missing',
    ],
  ])('rejects %s', (_name, override, expected) => {
    const found = problems(() =>
      Templates.fromData([{ language: 'en', data: { ...completeTexts(), ...override } }], {
        defaultLanguage: 'en',
      }),
    );
    expect(found).toContain(expected);
  });

  it('rejects a default language that lacks a key, and a translation with a bad placeholder', () => {
    const { greeting: _omitted, ...rest } = completeTexts();
    expect(
      problems(() => Templates.fromData([{ language: 'en', data: rest }], { defaultLanguage: 'en' })),
    ).toEqual(['greeting: missing (the default language needs every key)']);
    expect(
      problems(() =>
        Templates.fromData(
          [
            { language: 'en', data: completeTexts() },
            { language: 'zh', data: { 'ticket.created': '工单 {tiket}' } },
          ],
          { defaultLanguage: 'en' },
        ),
      ),
    ).toEqual([
      'ticket.created: unknown placeholder {tiket} (allowed: ticket)',
      'ticket.created: placeholder {ticket} is missing',
    ]);
  });

  it('rejects a directory without the default language', () => {
    expect(
      problems(() =>
        Templates.fromData([{ language: 'zh', data: completeTexts() }], { defaultLanguage: 'en' }),
      ),
    ).toEqual(['no templates for the default language']);
  });
});
