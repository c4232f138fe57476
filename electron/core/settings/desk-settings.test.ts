/**
 * The desk settings store reads settings.json once, when opened, and answers from memory after
 * that; a change is written durably before memory takes it, so a write the file system refuses
 * leaves both the file and what `load()` returns as they were. Changes made at once all land, in
 * order. A damaged file is reported at each use and never replaced. Real files in a temporary
 * folder; the refused write is a folder the file system will not let anyone write in (mode 0500,
 * or the immutable attribute when the test runs as root, whom modes do not stop).
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CardDeskError } from '../../shared/errors';
import { DeskSettingsStore } from './desk-settings';
import { whileUnwritable } from '../../../test/support/unwritable';

const freshDir = (): string => mkdtempSync(join(tmpdir(), 'carddesk-desk-settings-'));

describe('DeskSettingsStore', () => {
  it('is read once when opened: load() answers from memory, and before open it refuses', async () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ format: 1, pkcs11Modules: [], pkcs11LibraryFolders: ['/opt/a'] }));
    const store = new DeskSettingsStore(dir);
    expect(() => store.load()).toThrow(/before they were read/);
    await store.open();
    expect(store.load().pkcs11LibraryFolders).toEqual(['/opt/a']);
    // This process owns the data folder: a hand edit behind its back is not read again.
    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ format: 1, pkcs11Modules: [], pkcs11LibraryFolders: ['/opt/b'] }));
    expect(store.load().pkcs11LibraryFolders).toEqual(['/opt/a']);
    // load() hands out a copy: changing it changes nothing kept.
    store.load().pkcs11LibraryFolders.push('/opt/c');
    expect(store.load().pkcs11LibraryFolders).toEqual(['/opt/a']);
  });

  it('a write the file system refuses leaves the file and memory at the old value', async () => {
    const dir = freshDir();
    const store = await new DeskSettingsStore(dir).open();
    await store.setKiosk({ idleSeconds: 45, shufflePinPad: false, filesAllowed: true });
    const before = readFileSync(store.path, 'utf8');

    const failure = await whileUnwritable(dir, () =>
      store.setKiosk({ idleSeconds: 300, shufflePinPad: true, filesAllowed: false }).then(
        () => null,
        (error: unknown) => error,
      ),
    );
    expect(failure).toBeInstanceOf(Error);
    expect((failure as NodeJS.ErrnoException).code).toMatch(/^(EPERM|EACCES)$/);
    expect(store.load().kiosk).toEqual({ idleSeconds: 45, shufflePinPad: false, filesAllowed: true });
    expect(readFileSync(store.path, 'utf8')).toBe(before);
    expect(readdirSync(dir)).toEqual(['settings.json']);

    // The next change starts from the kept settings and lands.
    await store.update((settings) => ({ ...settings, pkcs11LibraryFolders: ['/opt/vendor'] }));
    const reread = (await new DeskSettingsStore(dir).open()).load();
    expect(reread.kiosk).toEqual({ idleSeconds: 45, shufflePinPad: false, filesAllowed: true });
    expect(reread.pkcs11LibraryFolders).toEqual(['/opt/vendor']);
  });

  it('a change that cannot be written (not JSON) changes neither memory nor the file', async () => {
    const dir = freshDir();
    const store = await new DeskSettingsStore(dir).open();
    await store.update((settings) => ({ ...settings, pkcs11LibraryFolders: ['/opt/kept'] }));
    const before = readFileSync(store.path, 'utf8');
    await expect(store.update((settings) => ({ ...settings, kiosk: { ...settings.kiosk, idleSeconds: 30n as unknown as number } }))).rejects.toThrow(TypeError);
    expect(store.load().kiosk.idleSeconds).toBe(60);
    expect(readFileSync(store.path, 'utf8')).toBe(before);
  });

  it('changes made at once run one after another, each on what the one before saved', async () => {
    const dir = freshDir();
    const store = await new DeskSettingsStore(dir).open();
    const folders = Array.from({ length: 12 }, (_, i) => `/opt/vendor-${i}`);
    await Promise.all(folders.map((folder) => store.update((settings) => ({ ...settings, pkcs11LibraryFolders: [...settings.pkcs11LibraryFolders, folder] }))));
    expect(store.load().pkcs11LibraryFolders).toEqual(folders);
    expect((await new DeskSettingsStore(dir).open()).load().pkcs11LibraryFolders).toEqual(folders);
  });

  it('a damaged file is reported at each use, and neither replaced nor changed', async () => {
    for (const text of ['{"format": 1, "pkcs11Modules": "none"}', '{ not json']) {
      const dir = freshDir();
      writeFileSync(join(dir, 'settings.json'), text);
      const store = await new DeskSettingsStore(dir).open();
      expect(() => store.load()).toThrow(CardDeskError);
      expect(() => store.load()).toThrow(/damaged/);
      await expect(store.setKiosk({ idleSeconds: 60, shufflePinPad: false, filesAllowed: true })).rejects.toThrow(/damaged/);
      expect(readFileSync(join(dir, 'settings.json'), 'utf8')).toBe(text);
    }
  });
});
