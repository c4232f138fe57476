/**
 * The lint rule that keeps raw PIV numbers out of the card code (issue 12): it covers the client,
 * the virtual card, the object encoders, the card and life-cycle services; it leaves out the
 * modules that define the numbers; and it reports a raw tag or reference but not a bit mask.
 */
import { ESLint, Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });

async function ruleFor(file: string): Promise<Linter.RuleEntry | undefined> {
  const config = (await eslint.calculateConfigForFile(file)) as Linter.Config;
  return config.rules?.['no-restricted-syntax'];
}

describe('the raw PIV number lint rule', () => {
  it('applies to the card code and not to the constants modules and generic encoders', async () => {
    for (const file of [
      'electron/core/piv/piv-client.ts',
      'electron/core/cards/card-service.ts',
      'electron/core/lifecycle/card-issuer.ts',
      'electron/vcard/commands/keys.ts',
      'electron/smartcard/piv-objects.ts',
    ]) {
      expect([file, JSON.stringify(await ruleFor(file))]).toEqual([file, expect.stringContaining('electron/smartcard/piv.ts')]);
    }
    for (const file of ['electron/smartcard/piv.ts', 'electron/smartcard/status-words.ts', 'electron/smartcard/tlv.ts', 'electron/smartcard/apdu.ts', 'electron/core/piv/piv-client.test.ts']) {
      expect([file, JSON.stringify(await ruleFor(file) ?? null)]).toEqual([file, expect.not.stringContaining('electron/smartcard/piv.ts')]);
    }
  });

  it('reports raw tags, references and parameters, and allows masks and shifts', async () => {
    const rule = await ruleFor('electron/vcard/commands/keys.ts');
    const linter = new Linter({ configType: 'flat' });
    const code = [
      'declare const tag: number;',
      'export const chuid = 0x5fc102;', // a data object tag
      'export const pin = tag === 0x80;', // a key reference
      'export const p2 = [0x00, 0xff];', // parameter bytes
      'export const low = tag & 0xff;', // a mask: fine
      'export const high = (tag >> 8) | 0x00;', // bitwise: fine
      'export const count = 20;', // decimal numbers are not the rule's business
    ].join('\n');
    const messages = linter.verify(code, [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser }, rules: { 'no-restricted-syntax': rule! } }], 'electron/vcard/probe.ts');
    expect(messages.map((message) => message.line)).toEqual([2, 3, 4, 4]);
    expect(messages[0]?.message).toContain('named constants in electron/smartcard/piv.ts');
  });
});
