/** Pure pieces: password hashing, placeholders, mentions. */
import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from './auth/passwords.ts';
import { renderPlaceholders } from './library.ts';
import { mentionedUsernames } from './routes/actions.ts';

describe('passwords', () => {
  it('verify only the right password, with a fresh salt each time', async () => {
    const a = await hashPassword('correct horse battery');
    const b = await hashPassword('correct horse battery');
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse battery', a)).toBe(true);
    expect(await verifyPassword('correct horse batterY', a)).toBe(false);
    expect(await verifyPassword('correct horse battery', 'plain')).toBe(false);
    expect(await verifyPassword('correct horse battery', a.replace(/.{4}$/, 'AAAA'))).toBe(false);
  });

  it('treat compatibility forms of a password as the same password', async () => {
    expect(await verifyPassword('ｐａｓｓｗｏｒｄ１２３', await hashPassword('password123'))).toBe(true);
  });
});

describe('placeholders', () => {
  it.each([
    ['Hi {{name}}', { name: 'Mei' }, 'Hi Mei'],
    ['Ticket {{ ticket }} by {{agent}}', { ticket: 'EX-1', agent: 'Bo' }, 'Ticket EX-1 by Bo'],
    ['{{ticket}} missing', {}, '{{ticket}} missing'],
    ['{{constructor}} {{__proto__}}', { name: 'x' }, '{{constructor}} {{__proto__}}'],
    ['{{name}} is <b>bold</b>', { name: '<script>' }, '<script> is <b>bold</b>'],
  ])('%s', (text, values, expected) => expect(renderPlaceholders(text, values)).toBe(expected));
});

describe('mentions', () => {
  it.each([
    ['ping @alice and @Bob.Li', ['alice', 'bob.li']],
    ['mail me at me@example.com', []],
    ['@alice @alice', ['alice']],
    ['no mentions', []],
  ])('%s', (text, expected) => expect(mentionedUsernames(text)).toEqual(expected));
});
