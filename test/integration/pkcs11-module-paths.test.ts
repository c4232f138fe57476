/**
 * No library loading from a page (issue 11, point 3): adding a PKCS#11 module needs the vault
 * unlocked and a path that passes every check — absolute, a regular file, owned by root or this
 * user, no folder above it writable by others, inside an allowed library folder — and every
 * check comes before any load. A library whose constructor leaves a mark shows it: nothing
 * refused ever ran. The stored list is checked again when the service starts.
 */
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../electron/core/api/dispatch';
import { silentLogger } from '../../electron/core/log/logger';
import { DeskSettingsStore } from '../../electron/core/settings/desk-settings';
import { TokenService } from '../../electron/core/tokens/token-service';
import { MemoryAuditTrail } from '../../electron/core/audit/audit-trail';
import type { ChannelArgs, ChannelName } from '../../electron/shared/contract';
import { buildConstructorLibrary, MARKER_VARIABLE, privateLibraryFolder } from '../support/constructor-library';
import { sourcePkcs11Workers } from '../support/pkcs11-worker';
import { testCore } from '../support/test-core';
import { PASSPHRASE } from '../support/vault-fixtures';

const core = testCore({ defaultPkcs11Modules: () => [] });
let folder: string;
let outside: string;
let marker: string;

async function call<C extends ChannelName>(channel: C, args: ChannelArgs<C>) {
  return dispatch(core.handlers, channel, args, { surface: 'desk', transport: 'websocket' }, silentLogger);
}

async function refused(path: string, code: string, reason: RegExp): Promise<void> {
  const result = await call('tokens:addModule', { name: 'Probe', path });
  expect(result, path).toMatchObject({ ok: false, error: { code } });
  if (!result.ok) expect(result.error.message).toMatch(reason);
  expect(existsSync(marker), `${path} was loaded`).toBe(false);
}

beforeAll(async () => {
  marker = join(mkdtempSync(join(tmpdir(), 'carddesk-marker-')), 'loaded');
  process.env[MARKER_VARIABLE] = marker;
  folder = privateLibraryFolder();
  chmodSync(folder, 0o755);
  buildConstructorLibrary(join(folder, 'libgood.so'));
  outside = mkdtempSync(join(tmpdir(), 'carddesk-outside-'));
  copyFileSync(join(folder, 'libgood.so'), join(outside, 'libevil.so'));
  await core.start();
}, 60_000);

afterAll(async () => {
  await core.dispose();
  delete process.env[MARKER_VARIABLE];
  rmSync(folder, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

describe('tokens:addModule checks everything before loading anything', () => {
  it('needs the vault unlocked', async () => {
    await refused(join(folder, 'libgood.so'), 'VAULT_LOCKED', /vault is locked/);
    expect((await call('tokens:addLibraryFolder', { path: folder })).ok).toBe(false);
    expect((await call('vault:init', { passphrase: PASSPHRASE })).ok).toBe(true);
  });

  it('refuses relative paths, folders, and anything outside the allowed library folders', async () => {
    await refused('libgood.so', 'MODULE_PATH_REFUSED', /absolute/);
    await refused('../lib/libgood.so', 'MODULE_PATH_REFUSED', /absolute/);
    await refused(join(outside, 'libevil.so'), 'MODULE_PATH_REFUSED', /other users|allowed library folder/);
    await refused(join(folder, 'libgood.so'), 'MODULE_PATH_REFUSED', /not inside an allowed library folder/);
    await refused(join(folder, 'missing.so'), 'MODULE_PATH_REFUSED', /does not exist/);
    // The CA's own token module is checked the same way before it loads.
    const caOnToken = await call('ca:init', { rootSubject: 'CN=Root', issuingSubject: 'CN=Issuing', pkcs11: { module: join(outside, 'libevil.so'), tokenLabel: 'planted', pin: '123456' } });
    expect(caOnToken).toMatchObject({ ok: false, error: { code: 'MODULE_PATH_REFUSED' } });
    expect(existsSync(marker)).toBe(false);
  });

  it('an administrator adds a library folder only if nobody else can change it', async () => {
    expect(await call('tokens:addLibraryFolder', { path: outside })).toMatchObject({ ok: false, error: { code: 'MODULE_PATH_REFUSED' } });
    expect(await call('tokens:addLibraryFolder', { path: 'relative/folder' })).toMatchObject({ ok: false, error: { code: 'MODULE_PATH_REFUSED' } });
    const added = await call('tokens:addLibraryFolder', { path: folder });
    expect(added).toMatchObject({ ok: true, value: { added: [folder] } });
    expect((await call('tokens:libraryFolders', undefined)).ok).toBe(true);
  });

  it('refuses, inside an allowed folder, a file others may change, owned by someone else, in a folder others may write, a folder, or a link leading out', async () => {
    copyFileSync(join(folder, 'libgood.so'), join(folder, 'libwritable.so'));
    chmodSync(join(folder, 'libwritable.so'), 0o666);
    await refused(join(folder, 'libwritable.so'), 'MODULE_PATH_REFUSED', /can be changed by other users/);

    copyFileSync(join(folder, 'libgood.so'), join(folder, 'libnobody.so'));
    chownSync(join(folder, 'libnobody.so'), 65534, 65534);
    await refused(join(folder, 'libnobody.so'), 'MODULE_PATH_REFUSED', /owned by user 65534/);

    mkdirSync(join(folder, 'open'), { mode: 0o755 });
    chmodSync(join(folder, 'open'), 0o777);
    copyFileSync(join(folder, 'libgood.so'), join(folder, 'open', 'libgood.so'));
    await refused(join(folder, 'open', 'libgood.so'), 'MODULE_PATH_REFUSED', /folder .*open can be changed by other users/);

    mkdirSync(join(folder, 'dir.so'));
    await refused(join(folder, 'dir.so'), 'MODULE_PATH_REFUSED', /not a regular file/);

    symlinkSync(join(outside, 'libevil.so'), join(folder, 'liblink.so'));
    await refused(join(folder, 'liblink.so'), 'MODULE_PATH_REFUSED', /other users|allowed library folder/);

    expect((await new DeskSettingsStore(core.dataDir).open()).load().pkcs11Modules).toEqual([]);
  });

  it('loads a library that passes every check (and its constructor then runs: the mark works)', async () => {
    const result = await call('tokens:addModule', { name: 'Good', path: join(folder, 'libgood.so') });
    expect(result).toMatchObject({ ok: true, value: { path: join(folder, 'libgood.so'), source: 'custom', state: 'unavailable', problem: 'notPkcs11Library' } });
    expect(existsSync(marker)).toBe(true);
  });

  it('checks the stored list again at start: a module written into settings.json by hand is never loaded', async () => {
    rmSync(marker, { force: true });
    const settings = await new DeskSettingsStore(core.dataDir).open();
    // Only the planted module: the good one would load (and leave its mark) again.
    await settings.update((s) => ({ ...s, pkcs11Modules: [{ id: 'vendor-planted', name: 'Planted', path: join(outside, 'libevil.so') }] }));
    const fresh = new TokenService({ settings, spawnWorker: sourcePkcs11Workers().spawn, log: silentLogger, audit: new MemoryAuditTrail(), defaults: () => [], vaultUnlocked: () => false });
    try {
      const modules = await fresh.modules();
      expect(modules.find((m) => m.id === 'vendor-planted')).toMatchObject({ state: 'unavailable', problem: 'refused' });
      expect(existsSync(marker)).toBe(false);
    } finally {
      await fresh.dispose();
    }
  });
});
