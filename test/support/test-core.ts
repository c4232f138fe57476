/** The real composition root with no hardware: PC/SC reported unavailable, no virtual reader, the real audit log in a temporary data folder. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCore, type Core, type CoreOptions } from '../../electron/core/app-core';
import { silentLogger } from '../../electron/core/log/logger';
import { sourcePkcs11Workers } from './pkcs11-worker';

export function testCore(options: Partial<CoreOptions> = {}): Core & { dataDir: string } {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'carddesk-core-'));
  const core = createCore({
    mode: 'browser',
    dataDir,
    log: silentLogger,
    loadPcsc: () =>
      Promise.resolve(() => {
        throw new Error('SCardEstablishContext error: Service not available.(0x8010001d)');
      }),
    virtualReader: false,
    pkcs11Worker: sourcePkcs11Workers().spawn,
    defaultPkcs11Modules: () => [],
    ...options,
  });
  return Object.assign(core, { dataDir });
}
