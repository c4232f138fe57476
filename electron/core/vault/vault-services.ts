/**
 * Builds the vault, directory and CA services over one vault, for a composition root (the app's
 * `createCore`, the CLI, tests and benchmarks). Each process that calls it owns the vault while
 * it is open (see VaultLock).
 */
import type { AuditAnchorKeeper } from '../audit/audit-anchor';
import type { AuditSigning } from '../audit/audit-signer';
import type { AuditTrail } from '../audit/audit-trail';
import { CaService } from '../ca/ca-service';
import { CertificateService } from '../ca/certificate-service';
import { CrlPublisher } from '../ca/crl-publisher';
import { OcspService } from '../ca/ocsp-service';
import { HolderDirectory } from '../directory/holder-directory';
import { OperatorDirectory } from '../operators/operator-directory';
import { VaultCardKeys } from '../operators/vault-card-keys';
import { osLibraryFolders } from '../pkcs11/module-path-check';
import type { Pkcs11Timeouts } from '../pkcs11/worker-client';
import { bundledPkcs11Worker, type Pkcs11WorkerSpawner } from '../pkcs11/worker-spawner';
import type { DeskSettingsStore } from '../settings/desk-settings';
import type { Logger } from '../log/logger';
import { recoverChangeEvents } from './change-events';
import { VaultKeyring } from './keyring';
import { VaultAccess, type VaultAccessOptions } from './vault-access';
import { vaultAnchorKeeper } from './vault-audit-anchor';
import { defaultSettings } from './vault-meta';
import { VaultService } from './vault-service';

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
  /** The operator accounts (issue 17 §1); also the OperatorLookup the card sign-in asks. */
  readonly operators: OperatorDirectory;
  /** The data key wrapped for the operator cards, and the unlock with one (issue 17 §2). */
  readonly cardKeys: VaultCardKeys;
  /**
   * Tells the audit log the desk's audit key id, and gives it the key while the vault is
   * unlocked (takes it away when locked). Runs by itself on unlock and lock; call it once after
   * opening the vault so verification knows the key id. Waits for the recovery of change events
   * that runs whenever the vault opens (see change-events.ts).
   */
  syncAudit(): Promise<void>;
  close(): Promise<void>;
}

export function createVaultServices(options: {
  dataDir: string;
  audit: AuditTrail;
  log: Logger;
  clock?: () => Date;
  /** How the vault is stored; team mode also when CARDDESK_DATABASE_URL is set (issue 18). */
  storage?: VaultAccessOptions;
  /** Open the data folder's vault even when CARDDESK_DATABASE_URL is set (the `db` commands move it into a database). */
  embedded?: boolean;
  /** Called when the vault locks or unlocks (idle lock included). */
  onVaultChange?: () => void;
  /** The audit log that signs with the vault's audit key (the desk's AuditLog). */
  auditSigning?: AuditSigning;
  /** Starts the PKCS#11 worker for a CA key on a token (default: dist/pkcs11-worker.cjs beside the bundle). */
  pkcs11Worker?: Pkcs11WorkerSpawner;
  /** Shorter PKCS#11 timeouts, for tests. */
  pkcs11Timeouts?: Partial<Pkcs11Timeouts>;
  /**
   * The desk's settings (the composition root's one store, opened before the CA is used): the
   * PKCS#11 library folders an administrator allowed. Without it, only the OS's own folders.
   */
  settings?: DeskSettingsStore;
}): VaultServices {
  const clock = options.clock ?? (() => new Date());
  const onVaultChange = options.onVaultChange ?? (() => {});
  // After an unlock (passphrase, card, restore): the operator cards' wrappings are brought in step.
  const onChange = (): void => {
    onVaultChange();
    if (keyring.unlocked) cardKeys.sync().catch((error: unknown) => options.log.error('the vault key could not be wrapped for the operator cards', { error }));
  };
  const databaseUrl = options.embedded === true ? undefined : process.env['CARDDESK_DATABASE_URL'];
  const access = new VaultAccess(options.dataDir, { ...(databaseUrl === undefined || databaseUrl === '' ? {} : { databaseUrl }), ...options.storage });
  const signing = options.auditSigning;
  const anchorKeeper = vaultAnchorKeeper(access);
  // Each time the vault opens: the events of changes made just before a stop, if the log lacks them.
  let recovery: Promise<void> = Promise.resolve();
  access.onOpen((storage) => {
    recovery = recoverChangeEvents(storage, options.audit, options.log).then(
      () => undefined,
      (error: unknown) => options.log.error('the events of changes made before a stop could not be recorded; they are tried again at the next open', { error }),
    );
  });
  const syncAudit = async (): Promise<void> => {
    await recovery;
    if (signing === undefined) return;
    let keyId: string | null = null;
    let signer = null;
    let keeper: AuditAnchorKeeper | null = null;
    try {
      keyId = vault.auditKeyId();
      keeper = anchorKeeper;
      signer = vault.auditSigner();
    } catch (error) {
      // The vault is not open (held by another process) or its key cannot be opened: no signer.
      options.log.warn('the vault audit key is not available', { error });
    }
    signing.setDeskKeyId(keyId);
    // Checked against the anchor before the key signs anything (a lost log is recorded first).
    await signing.useAnchorKeeper(keeper);
    await signing.useSigner(signer);
  };
  const onLock = (): void => {
    // The key goes with the keyring: the log stops signing (after signing what it holds).
    signing?.useSigner(null).catch((error: unknown) => options.log.error('the audit log could not let go of the audit key', { error }));
    onChange();
  };
  const keyring = new VaultKeyring({ idleMinutes: defaultSettings.idleLockMinutes, onLock });
  // The key id is clear: the log can name the desk's key as soon as the vault opens, locked.
  access.onOpen((storage) => signing?.setDeskKeyId(storage.meta.auditKey?.keyId ?? null));
  const vault = new VaultService(access, keyring, options.audit, onChange, syncAudit);
  const directory = new HolderDirectory(access, options.audit, clock);
  const pkcs11 = {
    spawnWorker: options.pkcs11Worker ?? bundledPkcs11Worker(typeof __dirname === 'string' ? __dirname : process.cwd()),
    log: options.log,
    ...(options.pkcs11Timeouts === undefined ? {} : { timeouts: options.pkcs11Timeouts }),
  };
  const ca = new CaService(access, keyring, options.audit, clock, pkcs11, () => [...osLibraryFolders(), ...(options.settings?.load().pkcs11LibraryFolders ?? [])]);
  const crl = new CrlPublisher(access, ca, options.audit, clock);
  const certificates = new CertificateService(access, ca, crl, directory, options.audit, clock);
  const ocsp = new OcspService(access, ca, options.audit, options.log);
  const operators = new OperatorDirectory({ access, audit: options.audit, holders: directory, clock });
  vault.recoveryRequired = () => operators.bootstrapOver();
  const cardKeys = new VaultCardKeys({ access, keyring, audit: options.audit, log: options.log, clock, open: (dek, op) => vault.unlockWithCardKey(dek, op) });
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
    operators,
    cardKeys,
    syncAudit,
    close: async () => {
      await recovery;
      await cardKeys.settled();
      keyring.lock();
      // The log signs what it holds and the anchor moves with it before the vault closes.
      await signing?.useSigner(null);
      await signing?.useAnchorKeeper(null);
      await access.close();
      if (ocsp.state().running) await ocsp.stop({ actor: { kind: 'system', id: 'shutdown' }, channel: 'desk' });
      await ca.close();
    },
  };
}
