/**
 * Builds the vault, directory and CA services over one vault, for a composition root (the app's
 * `createCore`, the CLI, tests and benchmarks). Each process that calls it owns the vault while
 * it is open (see VaultLock).
 */
import type { AuditTrail } from '../audit/audit-trail';
import { CaService } from '../ca/ca-service';
import { CertificateService } from '../ca/certificate-service';
import { CrlPublisher } from '../ca/crl-publisher';
import { OcspService } from '../ca/ocsp-service';
import { HolderDirectory } from '../directory/holder-directory';
import type { Logger } from '../log/logger';
import { VaultKeyring } from './keyring';
import { VaultAccess } from './vault-access';
import { defaultSettings } from './vault-meta';
import { VaultService } from './vault-service';
import type { VaultStorageOptions } from './vault-storage';

export interface VaultServices {
  /** Where these services record what they do. */
  readonly audit: AuditTrail;
  readonly access: VaultAccess;
  readonly keyring: VaultKeyring;
  readonly vault: VaultService;
  readonly directory: HolderDirectory;
  readonly ca: CaService;
  readonly crl: CrlPublisher;
  readonly certificates: CertificateService;
  readonly ocsp: OcspService;
  close(): Promise<void>;
}

export function createVaultServices(options: {
  dataDir: string;
  audit: AuditTrail;
  log: Logger;
  clock?: () => Date;
  storage?: VaultStorageOptions;
  /** Called when the vault locks or unlocks (idle lock included). */
  onVaultChange?: () => void;
  /** The built PKCS#11 worker (default: dist/pkcs11-ca-worker.cjs beside the bundle). */
  pkcs11WorkerPath?: string;
}): VaultServices {
  const clock = options.clock ?? (() => new Date());
  const onChange = options.onVaultChange ?? (() => {});
  const access = new VaultAccess(options.dataDir, options.storage);
  const keyring = new VaultKeyring({ idleMinutes: defaultSettings.idleLockMinutes, onLock: onChange });
  const vault = new VaultService(access, keyring, options.audit, onChange);
  const directory = new HolderDirectory(access, options.audit, clock);
  const ca = new CaService(access, keyring, options.audit, clock, options.pkcs11WorkerPath);
  const crl = new CrlPublisher(access, ca, options.audit, clock);
  const certificates = new CertificateService(access, ca, crl, directory, options.audit, clock);
  const ocsp = new OcspService(access, ca, options.audit, options.log);
  return {
    audit: options.audit,
    access,
    keyring,
    vault,
    directory,
    ca,
    crl,
    certificates,
    ocsp,
    close: async () => {
      keyring.lock();
      access.close();
      if (ocsp.state().running) await ocsp.stop({ actor: { kind: 'system', id: 'shutdown' }, channel: 'desk' });
      await ca.close();
    },
  };
}
