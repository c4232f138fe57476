/**
 * The lint rule that keeps synchronous calls off the core's request paths (issue 12 §1): an
 * imported `*Sync` function or class and a `fs.readFileSync(…)` member call are refused, the
 * allowlist admits only the names it lists for its file (with a reason), and an entry its file
 * no longer needs is reported. The repository's config is checked to switch it on for the core.
 */
import { join } from 'node:path';
import { ESLint, RuleTester } from 'eslint';
import { describe, expect, it } from 'vitest';
import { noSyncInCore } from '../../eslint-rules/no-sync-in-core.mjs';

RuleTester.describe = describe;
RuleTester.it = it;

const root = process.cwd();
const inCore = (path: string) => join(root, 'electron/core', path);
const tester = new RuleTester({ languageOptions: { ecmaVersion: 2022, sourceType: 'module' } });
const allow = [
  { file: 'electron/core/vault/vault-lock.ts', names: ['openSync'], why: 'taking the lock at open' },
  { file: 'electron/core/audit/', why: 'converted elsewhere' },
];

tester.run('carddesk/no-sync-in-core', noSyncInCore, {
  valid: [
    { filename: inCore('settings/json-file.ts'), code: "import { readFile } from 'node:fs/promises'; await readFile('x');" },
    { filename: inCore('vault/vault-lock.ts'), code: "import { openSync } from 'node:fs'; openSync('x', 'wx');", options: [{ allow }] },
    { filename: inCore('audit/audit-log.ts'), code: "import { fsyncSync } from 'node:fs'; fsyncSync(3);", options: [{ allow }] },
    { filename: inCore('ca/x.ts'), code: 'const inSync = true; export { inSync };' },
  ],
  invalid: [
    { filename: inCore('settings/json-file.ts'), code: "import { readFileSync } from 'node:fs'; readFileSync('x');", errors: [{ messageId: 'sync' }] },
    { filename: inCore('vault/keystore.ts'), code: "import { scryptSync as kdf } from 'node:crypto'; kdf('a', 'b', 32);", errors: [{ messageId: 'sync' }] },
    { filename: inCore('vault/x.ts'), code: "import * as fs from 'node:fs'; fs.writeFileSync('x', 'y');", errors: [{ messageId: 'sync' }] },
    { filename: inCore('vault/x.ts'), code: "import { existsSync } from 'node:fs'; const check = existsSync; check('x');", errors: [{ messageId: 'sync' }] },
    { filename: inCore('vault/x.ts'), code: "import { LowSync } from 'lowdb'; new LowSync(null, {});", errors: [{ messageId: 'sync' }] },
    // Allowed names are per file: the same call elsewhere, or another name in the allowed file, is refused.
    { filename: inCore('vault/record-store.ts'), code: "import { openSync } from 'node:fs'; openSync('x', 'r');", options: [{ allow }], errors: [{ messageId: 'sync' }] },
    { filename: inCore('vault/vault-lock.ts'), code: "import { openSync, unlinkSync } from 'node:fs'; openSync('x', 'wx'); unlinkSync('x');", options: [{ allow }], errors: [{ messageId: 'sync' }] },
    { filename: inCore('vault/vault-lock.ts'), code: "import { open } from 'node:fs/promises'; await open('x', 'wx');", options: [{ allow }], errors: [{ messageId: 'stale' }] },
  ],
});

describe('the repository lint configuration', () => {
  it('refuses readFileSync in a core file that is not on the allowlist', async () => {
    const eslint = new ESLint({ cwd: root });
    // An existing file not on the allowlist (typed linting needs a file the project knows), with other text.
    const file = inCore('settings/desk-settings.ts');
    const config = (await eslint.calculateConfigForFile(file)) as { rules: Record<string, unknown> };
    expect(config.rules['carddesk/no-sync-in-core']?.[0 as keyof unknown]).toBe(2);
    const [result] = await eslint.lintText("import { readFileSync } from 'node:fs';\nexport const read = (path: string): string => readFileSync(path, 'utf8');\n", { filePath: file });
    expect(result?.messages.filter((message) => message.fatal === true)).toEqual([]);
    expect(result?.messages.filter((message) => message.ruleId === 'carddesk/no-sync-in-core').map((message) => message.line)).toEqual([2]);
  }, 120_000);
});
