/**
 * The lint rule that keeps features apart: another feature's internals are refused, its index
 * entry, the feature's own files and the shared folders are fine. The repository's config is
 * checked to switch it on (npm run lint then proves the tree keeps it).
 */
import { join } from 'node:path';
import { ESLint, RuleTester } from 'eslint';
import { describe, expect, it } from 'vitest';
import { featureBoundaries } from '../../eslint-rules/feature-boundaries.mjs';

RuleTester.describe = describe;
RuleTester.it = it;

const root = process.cwd();
const inFeature = (path: string) => join(root, 'renderer/src/features', path);
const tester = new RuleTester({ languageOptions: { ecmaVersion: 2022, sourceType: 'module' } });

tester.run('carddesk/feature-boundaries', featureBoundaries, {
  valid: [
    { filename: inFeature('cards/CardsScreen.tsx'), code: "import { useVault } from '../vault';" },
    { filename: inFeature('cards/CardsScreen.tsx'), code: "import { useVault } from '../vault/index';" },
    { filename: inFeature('cards/actions/SecretDialog.tsx'), code: "import { useVault } from '../../vault';" },
    { filename: inFeature('cards/actions/SecretDialog.tsx'), code: "import { cardsTestIds } from '../testIds';" },
    { filename: inFeature('cards/CardsScreen.tsx'), code: "import { useReaders } from './useReaders';" },
    { filename: inFeature('cards/CardsScreen.tsx'), code: "import { PinPad } from '../../components/PinPad';" },
    { filename: inFeature('cards/CardsScreen.tsx'), code: "import { Box } from '@mui/material';" },
    { filename: join(root, 'renderer/src/app/deskRoutes.tsx'), code: "import { CardsScreen } from '../features/cards/CardsScreen';" },
  ],
  invalid: [
    { filename: inFeature('cards/CardsScreen.tsx'), code: "import { useVault } from '../vault/VaultContext';", errors: [{ messageId: 'internal' }] },
    { filename: inFeature('cards/actions/SecretDialog.tsx'), code: "import { useVault } from '../../vault/VaultContext';", errors: [{ messageId: 'internal' }] },
    { filename: inFeature('cards/CardsScreen.tsx'), code: "export { useVault } from '../vault/VaultContext';", errors: [{ messageId: 'internal' }] },
    { filename: inFeature('cards/CardsScreen.tsx'), code: "const m = import('../vault/VaultContext');", errors: [{ messageId: 'internal' }] },
    { filename: inFeature('tokens/TokensPanel.tsx'), code: "import { SecretDialog } from '../cards/actions/SecretDialog';", errors: [{ messageId: 'internal' }] },
  ],
});

describe('the repository lint configuration', () => {
  it('switches the rule on for every feature file', async () => {
    const eslint = new ESLint({ cwd: root });
    for (const file of ['cards/CardsScreen.tsx', 'cards/actions/SecretDialog.tsx', 'vault/index.ts']) {
      const config = (await eslint.calculateConfigForFile(inFeature(file))) as { rules: Record<string, unknown> };
      expect(config.rules['carddesk/feature-boundaries'], file).toEqual([2]);
    }
  }, 60_000);
});
