/** The real composition root with no hardware: PC/SC reported unavailable, no virtual reader, audit in memory. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCore, type Core, type CoreOptions } from '../../electron/core/app-core';
import { MemoryAuditTrail } from '../../electron/core/audit/audit-trail';
import { silentLogger } from '../../electron/core/log/logger';
import { sourcePkcs11Workers } from './pkcs11-worker';

export function testCore(options: Partial<CoreOptions> = {}): Core & { audit: MemoryAuditTrail } {
  const audit = new MemoryAuditTrail();
  const core = createCore({
    mode: 'browser',
    dataDir: mkdtempSync(join(tmpdir(), 'carddesk-core-')),
    log: silentLogger,
    loadPcsc: () =>
      Promise.resolve(() => {
        throw new Error('SCardEstablishContext error: Service not available.(0x8010001d)');
      }),
    virtualReader: false,
    audit,
    pkcs11Worker: sourcePkcs11Workers().spawn,
    defaultPkcs11Modules: () => [],
    ...options,
  });
  return Object.assign(core, { audit });
}
