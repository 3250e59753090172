import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateMnemonic } from '@scure/bip39';
import { wordlist as english } from '@scure/bip39/wordlists/english.js';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Entity } from '../core/model.ts';
import { loadOfficialFile, trustCheck, trustVerifyCode } from './cli.ts';
import { VerificationCodes } from './codes.ts';
import { exampleOfficial } from './test-official.ts';

const dir = mkdtempSync(join(tmpdir(), 'verity-trust-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const Output = z.strictObject({ text: z.string(), entities: z.array(Entity) });

describe('verity trust check', () => {
  it('prints the issue JSON shape, one object per line for stdin, without secrets', async () => {
    const phrase = generateMnemonic(english);
    const lines: string[] = [];
    const alarming = await trustCheck({
      stdinLines: ['visit examp1e.com and DM @ExampIeSupport', '', `my words ${phrase}`, 'see example.com'],
      official: exampleOfficial(),
      json: true,
      write: (l) => lines.push(l),
    });
    expect(lines).toHaveLength(3);
    const outputs = lines.map((l) => Output.parse(JSON.parse(l)));
    expect(outputs[0]?.entities.map((e) => [e.kind, e.value, e.verdict, e.target])).toEqual([
      ['domain', 'examp1e.com', 'lookalike', 'example.com'],
      ['handle', '@ExampIeSupport', 'lookalike', '@ExampleSupport'],
    ]);
    expect(outputs[1]?.entities[0]).toMatchObject({ kind: 'secret', verdict: 'flagged' });
    expect(lines[1]).not.toContain(phrase.split(' ').slice(1, 4).join(' '));
    expect(outputs[2]?.entities[0]).toMatchObject({ kind: 'domain', verdict: 'official' });
    expect(alarming).toBe(2);
  });

  it('reads --official from YAML (with the official: key) and JSON (without)', async () => {
    const yamlFile = join(dir, 'official.yaml');
    writeFileSync(
      yamlFile,
      'official:\n  name: Acme Pay\n  domains: [acmepay.com]\n  handles: { telegram: ["@AcmePaySupport"] }\n',
    );
    const jsonFile = join(dir, 'official.json');
    writeFileSync(jsonFile, JSON.stringify({ name: 'Acme Pay', domains: ['acmepay.com'] }));
    expect((await loadOfficialFile(yamlFile)).handles).toEqual({ telegram: ['@AcmePaySupport'] });
    const lines: string[] = [];
    await trustCheck({
      text: 'go to acmepay-support.com',
      officialFile: jsonFile,
      json: false,
      write: (l) => lines.push(l),
    });
    expect(lines[0]).toContain('acmepay-support.com: lookalike (high) → acmepay.com');
    writeFileSync(jsonFile, JSON.stringify({ domains: 'nope' }));
    await expect(loadOfficialFile(jsonFile)).rejects.toThrow(/name/);
  });

  it('verify-code answers in words', () => {
    const codes = new VerificationCodes({ secret: 'x'.repeat(32) });
    const { code } = codes.issue({ channel: 'discord', userId: '7' });
    expect(trustVerifyCode(codes, { code, channel: 'discord', userId: '7' }).message).toMatch(
      /^issued by us to discord:7 on /,
    );
    expect(trustVerifyCode(codes, { code, channel: 'discord', userId: '8' }).message).toMatch(/impersonator/);
  });
});
