import { closeSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { operator, PASSPHRASE, tempHome } from '../../../test/support/vault-fixtures';
import { MemoryAuditTrail } from '../audit/audit-trail';
import { silentLogger } from '../log/logger';
import { createVaultServices, type VaultServices } from '../vault/vault-services';
import { prepareDataDir, PUBLIC_FILE_MODE, writeFileDurable, writeUserFile, writeUserFileStreaming } from './safe-file';

const mode = (path: string): number => statSync(path).mode & 0o777;
const open: VaultServices[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});

describe('safe files', () => {
  it('a streamed file that fails half-way leaves no file and no temporary behind (complete or absent)', async () => {
    const dir = tempHome('carddesk-safe-');
    const target = join(dir, 'export.csv');
    await expect(
      writeUserFileStreaming(target, { mode: 0o600 }, async (out) => {
        out.write('half of it\n');
        await new Promise((done) => setTimeout(done, 10));
        throw new Error('the source failed');
      }),
    ).rejects.toThrow('the source failed');
    expect(readdirSync(dir)).toEqual([]);
    // The failed stream's descriptor is closed exactly once: a file opened now (which takes the
    // freed number) stays open, and no late close surfaces as an uncaught EBADF.
    const probe = openSync(join(dir, 'probe'), 'w');
    await new Promise((done) => setTimeout(done, 50));
    expect(() => fstatSync(probe)).not.toThrow();
    closeSync(probe);
  });

  it('writes a public artefact 0644 and a private file 0600 whatever the umask', async () => {
    const dir = tempHome('carddesk-safe-');
    const previous = process.umask(0o077);
    try {
      await writeUserFile(join(dir, 'ca.pem'), 'public', { mode: PUBLIC_FILE_MODE });
    } finally {
      process.umask(0o000);
    }
    try {
      writeFileDurable(join(dir, 'state.json'), '{}');
    } finally {
      process.umask(previous);
    }
    expect(mode(join(dir, 'ca.pem'))).toBe(0o644);
    expect(mode(join(dir, 'state.json'))).toBe(0o600);
  });

  it('a data-folder write replaces a link planted at its name instead of writing through it', () => {
    const dir = tempHome('carddesk-safe-');
    writeFileSync(join(dir, 'victim'), 'untouched');
    symlinkSync(join(dir, 'victim'), join(dir, 'vault.json'));
    writeFileDurable(join(dir, 'vault.json'), 'new');
    expect(readFileSync(join(dir, 'victim'), 'utf8')).toBe('untouched');
    expect(readFileSync(join(dir, 'vault.json'), 'utf8')).toBe('new');
  });

  it('prepareDataDir narrows what a loose umask left, and creates a missing folder 0700 under umask 000', () => {
    const previous = process.umask(0o000);
    try {
      const dir = join(tempHome('carddesk-safe-'), 'desk');
      prepareDataDir(dir);
      expect(mode(dir)).toBe(0o700);
      mkdirSync(join(dir, 'logs'), { mode: 0o777 });
      writeFileSync(join(dir, 'logs', 'carddesk.log'), '', { mode: 0o666 });
      prepareDataDir(dir);
      expect([mode(join(dir, 'logs')), mode(join(dir, 'logs', 'carddesk.log'))]).toEqual([0o700, 0o600]);
    } finally {
      process.umask(previous);
    }
  });

  it('a dangling link or a folder in backups/ never breaks the backups list', async () => {
    const home = tempHome();
    const s = createVaultServices({ dataDir: home, audit: new MemoryAuditTrail(), log: silentLogger });
    open.push(s);
    await s.vault.init(Buffer.from(PASSPHRASE), operator);
    const written = await s.vault.backup(operator);
    symlinkSync(join(home, 'nowhere.cdbackup'), join(s.vault.backupDir, 'dangling.cdbackup'));
    mkdirSync(join(s.vault.backupDir, 'folder.cdbackup'));
    expect((await s.vault.listBackups()).map((backup) => backup.fileName)).toEqual([written.slice(s.vault.backupDir.length + 1)]);
  });
});
