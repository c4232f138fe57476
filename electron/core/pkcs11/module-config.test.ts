import { symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempHome } from '../../../test/support/vault-fixtures';
import { checkModuleList, defaultPkcs11Modules, realPathsOf } from './module-config';

describe('PKCS#11 module configuration', () => {
  it('uses the Debian paths on Linux when they are there', async () => {
    const present = new Set(['/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so', '/usr/lib/softhsm/libsofthsm2.so']);
    expect(await defaultPkcs11Modules({ platform: 'linux', fileExists: (path) => present.has(path) })).toEqual([
      { id: 'opensc', name: 'OpenSC', path: '/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so' },
      { id: 'softhsm2', name: 'SoftHSM2', path: '/usr/lib/softhsm/libsofthsm2.so' },
    ]);
  });

  it('finds the library where another distribution put it', async () => {
    const present = new Set(['/usr/lib64/opensc-pkcs11.so', '/usr/lib64/pkcs11/libsofthsm2.so']);
    const modules = await defaultPkcs11Modules({ platform: 'linux', fileExists: (path) => present.has(path) });
    expect(modules.map((module) => module.path)).toEqual(['/usr/lib64/opensc-pkcs11.so', '/usr/lib64/pkcs11/libsofthsm2.so']);
    const arm = await defaultPkcs11Modules({ platform: 'linux', fileExists: (path) => path === '/usr/lib/aarch64-linux-gnu/opensc-pkcs11.so' });
    expect(arm[0]?.path).toBe('/usr/lib/aarch64-linux-gnu/opensc-pkcs11.so');
  });

  it('keeps the usual path when nothing is installed, so the status can name it', async () => {
    const none = () => false;
    expect((await defaultPkcs11Modules({ platform: 'darwin', fileExists: none }))[0]).toEqual({ id: 'opensc', name: 'OpenSC', path: '/Library/OpenSC/lib/opensc-pkcs11.so' });
    expect((await defaultPkcs11Modules({ platform: 'win32', fileExists: none }))[0]?.path).toBe('C:\\Windows\\System32\\opensc-pkcs11.dll');
    expect(await defaultPkcs11Modules({ platform: 'aix', fileExists: none })).toEqual([]);
  });

  it('accepts vendor modules next to the defaults', async () => {
    const defaults = await defaultPkcs11Modules({ platform: 'linux', fileExists: () => false });
    expect(() => checkModuleList([...defaults, { id: 'vendor-acme', name: 'ACME', path: '/opt/acme/libacmepkcs11.so' }])).not.toThrow();
  });

  it('refuses bad ids, duplicate ids, and the same library twice (a library is process-wide)', () => {
    const acme = { id: 'acme', name: 'ACME', path: '/opt/acme/lib.so' };
    expect(() => checkModuleList([{ ...acme, id: 'ACME!' }])).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENTS' }));
    expect(() => checkModuleList([acme, { ...acme, path: '/other.so' }])).toThrow(/configured twice/);
    expect(() => checkModuleList([acme, { ...acme, id: 'acme2' }])).toThrow(/same library/);
    expect(() => checkModuleList([acme, { ...acme, id: 'link', path: '/opt/link.so' }], (path) => (path === '/opt/link.so' ? '/opt/acme/lib.so' : path))).toThrow(/same library/);
    expect(() => checkModuleList([{ ...acme, path: ' ' }])).toThrow(/no path/);
  });

  it('sees through a link to the same library (realPathsOf, as the service starts)', async () => {
    const dir = tempHome('carddesk-modules-');
    writeFileSync(join(dir, 'lib.so'), '');
    symlinkSync(join(dir, 'lib.so'), join(dir, 'link.so'));
    const modules = [
      { id: 'acme', name: 'ACME', path: join(dir, 'lib.so') },
      { id: 'link', name: 'Link', path: join(dir, 'link.so') },
    ];
    expect(() => checkModuleList(modules)).not.toThrow();
    const resolve = await realPathsOf(modules);
    expect(() => checkModuleList(modules, resolve)).toThrow(/same library/);
    expect(resolve(join(dir, 'missing.so'))).toBe(join(dir, 'missing.so'));
  });
});
