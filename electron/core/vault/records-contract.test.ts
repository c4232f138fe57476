import { describe } from 'vitest';
import { recordsContract } from '../../../test/support/records-contract';
import { tempHome } from '../../../test/support/vault-fixtures';
import { VaultStorage } from './vault-storage';

// The same suite runs against the team database in test/integration/team-records.test.ts.
describe('the record store and vault storage contract (embedded)', () => {
  recordsContract(() => {
    const home = tempHome();
    return Promise.resolve({ open: () => Promise.resolve(VaultStorage.open(home)) });
  });
});
