import { describe, expect, it } from 'vitest';
import { checkModuleList, defaultPkcs11Modules } from './module-config';

describe('PKCS#11 module configuration', () => {
  it('uses the Debian paths on Linux when they are there', () => {
    const present = new Set(['/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so', '/usr/lib/softhsm/libsofthsm2.so']);
    expect(defaultPkcs11Modules({ platform: 'linux', fileExists: (path) => present.has(path) })).toEqual([
      { id: 'opensc', name: 'OpenSC', path: '/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so' },
      { id: 'softhsm2', name: 'SoftHSM2', path: '/usr/lib/softhsm/libsofthsm2.so' },
    ]);
  });

  it('finds the library where another distribution put it', () => {
    const present = new Set(['/usr/lib64/opensc-pkcs11.so', '/usr/lib64/pkcs11/libsofthsm2.so']);
    const modules = defaultPkcs11Modules({ platform: 'linux', fileExists: (path) => present.has(path) });
    expect(modules.map((module) => module.path)).toEqual(['/usr/lib64/opensc-pkcs11.so', '/usr/lib64/pkcs11/libsofthsm2.so']);
    const arm = defaultPkcs11Modules({ platform: 'linux', fileExists: (path) => path === '/usr/lib/aarch64-linux-gnu/opensc-pkcs11.so' });
    expect(arm[0]?.path).toBe('/usr/lib/aarch64-linux-gnu/opensc-pkcs11.so');
  });

  it('keeps the usual path when nothing is installed, so the status can name it', () => {
    const none = () => false;
    expect(defaultPkcs11Modules({ platform: 'darwin', fileExists: none })[0]).toEqual({ id: 'opensc', name: 'OpenSC', path: '/Library/OpenSC/lib/opensc-pkcs11.so' });
    expect(defaultPkcs11Modules({ platform: 'win32', fileExists: none })[0]?.path).toBe('C:\\Windows\\System32\\opensc-pkcs11.dll');
    expect(defaultPkcs11Modules({ platform: 'aix', fileExists: none })).toEqual([]);
  });

  it('accepts vendor modules next to the defaults', () => {
    expect(() => checkModuleList([...defaultPkcs11Modules({ platform: 'linux', fileExists: () => false }), { id: 'vendor-acme', name: 'ACME', path: '/opt/acme/libacmepkcs11.so' }])).not.toThrow();
  });

  it('refuses bad ids, duplicate ids, and the same library twice (a library is process-wide)', () => {
    const acme = { id: 'acme', name: 'ACME', path: '/opt/acme/lib.so' };
    expect(() => checkModuleList([{ ...acme, id: 'ACME!' }])).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENTS' }));
    expect(() => checkModuleList([acme, { ...acme, path: '/other.so' }])).toThrow(/configured twice/);
    expect(() => checkModuleList([acme, { ...acme, id: 'acme2' }])).toThrow(/same library/);
    expect(() => checkModuleList([acme, { ...acme, id: 'link', path: '/opt/link.so' }], (path) => (path === '/opt/link.so' ? '/opt/acme/lib.so' : path))).toThrow(/same library/);
    expect(() => checkModuleList([{ ...acme, path: ' ' }])).toThrow(/no path/);
  });
});
