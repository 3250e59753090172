import { describe, expect, it } from 'vitest';
import { domainLookalikes, handleLookalikes } from './generate.ts';
import { TrustScanner } from './scanner.ts';
import { exampleOfficial } from './test-official.ts';

const scanner = new TrustScanner(exampleOfficial(), undefined, { memoLimit: 0 });
const brands = [
  { brand: 'example', domain: 'example.com' },
  { brand: 'examplewallet', domain: 'example.io' },
];

describe('generated lookalikes of the sandbox organization', () => {
  it('catches every domain family', () => {
    for (const [family, hosts] of domainLookalikes(brands, 11)) {
      const caught = hosts.filter((h) => scanner.scan(h).some((e) => e.verdict === 'lookalike'));
      expect({ family, recall: caught.length / hosts.length }).toEqual({
        family,
        recall: expect.any(Number),
      });
      expect(
        caught.length / hosts.length,
        `${family}: missed ${hosts.filter((h) => !caught.includes(h)).join(', ')}`,
      ).toBeGreaterThanOrEqual(0.9);
    }
  });

  it('catches handle and display-name families', () => {
    const official = exampleOfficial({ handles: { telegram: ['@ExampleSupport', '@ExamplewalletSupport'] } });
    const s = new TrustScanner(official);
    for (const [family, values] of handleLookalikes(brands, ['Alice Chen', 'Bob Li'], 12)) {
      for (const v of values) {
        const entities = family.startsWith('name:') ? s.scan('', { names: [v] }) : s.scan(`ask ${v}`);
        expect(
          entities.some((e) => e.verdict === 'lookalike'),
          `${family}: ${v}`,
        ).toBe(true);
      }
    }
  });
});
