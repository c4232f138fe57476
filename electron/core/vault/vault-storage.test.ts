import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempHome } from '../../../test/support/vault-fixtures';
import type { Migration } from './migrations';
import { VaultStorage } from './vault-storage';

describe('VaultStorage', () => {
  it('creates vault.json on first open and holds the lock until closed', async () => {
    const home = tempHome();
    const storage = VaultStorage.open(home);
    expect(JSON.parse(readFileSync(join(home, 'vault', 'vault.json'), 'utf8'))).toMatchObject({ format: 'carddesk-vault', schemaVersion: 1 });
    expect(() => VaultStorage.open(home)).toThrow(expect.objectContaining({ code: 'VAULT_IN_USE' }));
    await storage.close();
    await VaultStorage.open(home).close();
  });

  it('runs pending migrations on the main document and on every record, once', async () => {
    const home = tempHome();
    const first = VaultStorage.open(home);
    await first.records.commit([{ collection: 'holders', id: 'h1', record: { id: 'h1', name: 'Ada' } as never }]);
    await first.close();
    const migrations: Migration[] = [
      {
        version: 2,
        description: 'names become displayName',
        record: (_collection, record) => {
          const { name, ...rest } = record as unknown as { id: string; name: string };
          return { ...rest, displayName: name } as never;
        },
        meta: (meta) => ({ ...meta, settings: { ...meta.settings, idleLockMinutes: 5 } }),
      },
    ];
    const migrated = VaultStorage.open(home, { migrations, currentVersion: 2 });
    expect(migrated.records.get('holders', 'h1')).toEqual({ id: 'h1', displayName: 'Ada' });
    expect(migrated.meta).toMatchObject({ schemaVersion: 2, settings: { idleLockMinutes: 5 } });
    await migrated.close();
    // Opening again does not migrate a second time.
    const again = VaultStorage.open(home, { migrations, currentVersion: 2 });
    expect(again.records.get('holders', 'h1')).toEqual({ id: 'h1', displayName: 'Ada' });
    await again.close();
  });

  it('refuses a vault written by a newer CardDesk, changing nothing', async () => {
    const home = tempHome();
    await VaultStorage.open(home).close();
    const path = join(home, 'vault', 'vault.json');
    writeFileSync(path, readFileSync(path, 'utf8').replace('"schemaVersion":1', '"schemaVersion":9'));
    const before = readFileSync(path, 'utf8');
    expect(() => VaultStorage.open(home)).toThrow(expect.objectContaining({ code: 'VAULT_VERSION_UNSUPPORTED' }));
    expect(readFileSync(path, 'utf8')).toBe(before);
    await VaultStorage.open(home, { currentVersion: 9 }).close();
  });

  it('reports a damaged main document instead of replacing it', async () => {
    const home = tempHome();
    await VaultStorage.open(home).close();
    writeFileSync(join(home, 'vault', 'vault.json'), '{"format":"carddesk-vault", trunc');
    expect(() => VaultStorage.open(home)).toThrow(expect.objectContaining({ code: 'VAULT_CORRUPT' }));
  });
});
