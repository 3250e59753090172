/**
 * The puppet behind the adapter, chosen by configuration. Each handle says how it logs in:
 * the Official Account logs itself in when its callback server is up; the mock needs a
 * scripted login and `ready` (it never emits `ready` by itself); opt-in personal-account
 * puppets are loaded by wechaty by name and wait for a QR-code scan.
 */
import type { Logger } from 'pino';
import { mock, PuppetMock } from 'wechaty-puppet-mock';
import type { OptInPuppetName, PuppetChoice } from './config.ts';
import { HardenedOaPuppet } from './oa-puppet.ts';

export type PuppetHandle =
  | { kind: 'official-account'; puppet: HardenedOaPuppet }
  | { kind: 'mock'; puppet: PuppetMock; mocker: mock.Mocker; self: mock.ContactMock; afterStart: () => void }
  | { kind: 'opt-in'; name: OptInPuppetName };

export function createMockPuppet(botName = 'Verity'): Extract<PuppetHandle, { kind: 'mock' }> {
  const mocker = new mock.Mocker();
  const puppet = new PuppetMock({ mocker });
  const self = mocker.createContact({ name: botName });
  return {
    kind: 'mock',
    puppet,
    mocker,
    self,
    afterStart: () => {
      mocker.login(self);
      puppet.emit('ready', { data: 'mock' });
    },
  };
}

export function createPuppet(choice: PuppetChoice, logger: Logger): PuppetHandle {
  switch (choice.kind) {
    case 'official-account':
      return { kind: 'official-account', puppet: new HardenedOaPuppet({ ...choice.oa, logger }) };
    case 'mock':
      return createMockPuppet();
    case 'opt-in':
      return { kind: 'opt-in', name: choice.name };
  }
}
