/**
 * Which audit log a station opens (desk-audit-log.ts): the data folder's file log unless
 * CARDDESK_DATABASE_URL is set, then the team database's chain (issue 18 §1). No server is
 * needed: the pool connects on first use, and this test never uses it.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditLog } from '../../electron/core/audit/audit-log';
import { openDeskAuditStore, teamDatabaseUrl } from '../../electron/core/audit/desk-audit-log';
import { silentLogger } from '../../electron/core/log/logger';
import { PgAuditLog } from '../../electron/core/store/pg/pg-audit-log';
import { tempHome } from '../support/vault-fixtures';

describe('openDeskAuditStore', () => {
  it('is the file log in the data folder when CARDDESK_DATABASE_URL is unset or empty', async () => {
    for (const env of [{}, { CARDDESK_DATABASE_URL: '' }, { CARDDESK_DATABASE_URL: '  ' }]) {
      const home = tempHome();
      const store = openDeskAuditStore(home, { log: silentLogger, kind: 'cli', env });
      expect(store).toBeInstanceOf(AuditLog);
      expect(store.where).toBe(join(home, 'audit'));
      await store.close();
    }
    expect(teamDatabaseUrl({})).toBeNull();
  });

  it('is the team chain, named by station and shown without the password, when it is set', async () => {
    const store = openDeskAuditStore(tempHome(), { log: silentLogger, kind: 'cli', env: { CARDDESK_DATABASE_URL: 'postgres://team:S3cret@127.0.0.1:1/desk' } });
    expect(store).toBeInstanceOf(PgAuditLog);
    expect(store.where).toBe('database postgres://team:***@127.0.0.1:1/desk');
    expect(store.where).not.toContain('S3cret');
    expect((store as PgAuditLog).station).toMatch(/^cli:/);
    await expect(store.exportHead(null, { actor: { kind: 'operator', id: 'op' }, channel: 'cli' }, false)).rejects.toThrow('Not in team mode yet');
    await store.close();
  });
});
