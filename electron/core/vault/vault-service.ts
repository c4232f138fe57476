/**
 * The vault's passphrase lifecycle: init, unlock, lock, idle lock time, passphrase change, and
 * encrypted backups with restore. The passphrase arrives as a Buffer the caller zeroes; it is
 * never stored, logged or put in an audit event.
 */
import { randomBytes } from 'node:crypto';
import { type Dirent } from 'node:fs';
import { lstat, readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { CardDeskError } from '../../shared/errors';
import type { BackupInfo, PersonalNumberRule, UnlockResult, VaultStatus } from '../../shared/schemas/vault';
import type { AuditSigner } from '../audit/audit-signer';
import type { AuditTrail } from '../audit/audit-trail';
import type { OperationContext } from '../operation-context';
import { newAuditKey, openAuditKey } from './audit-key';
import { checkPersonalNumberPattern } from '../directory/pattern-safety';
import { ensurePrivateDirAsync, PRIVATE_FILE_MODE, writeFileDurably, writeUserFile } from '../files/safe-file';
import type { VaultKeyring } from './keyring';
import type { StoredRecord } from './record-store';
import { PassphraseGuard } from './passphrase-guard';
import { kdfOutOfBounds, newKdfParams, seal, unseal, type KdfParams, type Sealed } from './sealing';
import { ChangeRecorder } from './change-events';
import { newRecoveryCode, recoveryCodeMatches } from './recovery-code';
import type { VaultAccess } from './vault-access';
import type { VaultMeta } from './vault-meta';

const DEK_PURPOSE = 'carddesk-vault-key';
const BACKUP_PURPOSE = 'carddesk-backup';
export const MIN_PASSPHRASE_LENGTH = 10;

/** How a passphrase unlock is asked for (see VaultService.unlock). */
export type PassphraseUnlock = { readonly kind: 'desk' } | { readonly kind: 'approved'; readonly approvedBy: string } | { readonly kind: 'cliCommand' };

export const RECOVERY_NEEDS_APPROVAL =
  "The vault opens with an operator card: sign in with your card and PIN. The passphrase is the recovery unlock, and it needs a second operator's approval.";

interface BackupFile {
  readonly format: 'carddesk-backup';
  readonly createdAt: string;
  readonly kdf: KdfParams;
  readonly wrappedKey: Sealed;
  /** gzip(JSON { meta, records }) sealed with the vault's data key. */
  readonly payload: Sealed;
}

export class VaultService {
  constructor(
    private readonly access: VaultAccess,
    private readonly keyring: VaultKeyring,
    private readonly audit: AuditTrail,
    private readonly onChange: () => void = () => {},
    /** Gives the audit log the vault's audit key after an unlock (see createVaultServices). */
    private readonly onAuditKey: () => Promise<void> = () => Promise.resolve(),
  ) {}

  /** Limits scrypt to two at a time and backs off wrong passphrases per source (issue 11 §4). */
  readonly passphraseGuard = new PassphraseGuard();

  /** The desk's audit key id (clear in vault.json), or null before `vault init`. */
  auditKeyId(): string | null {
    return this.access.storage().meta.auditKey?.keyId ?? null;
  }

  /** A signer with the audit key while the vault is unlocked, else null. Drop it on lock. */
  auditSigner(): AuditSigner | null {
    if (!this.keyring.unlocked) return null;
    const stored = this.access.storage().meta.auditKey ?? null;
    return stored === null ? null : openAuditKey(this.keyring, stored);
  }

  /** Makes the audit key if this vault has none yet (made by `vault init`; older vaults at their first unlock). */
  async #ensureAuditKey(): Promise<void> {
    const storage = this.access.storage();
    if ((storage.meta.auditKey ?? null) !== null) return;
    const auditKey = await newAuditKey(this.keyring);
    await storage.updateMeta((meta) => ({ ...meta, auditKey }));
  }

  get backupDir(): string {
    return join(this.access.dataDir, 'backups');
  }

  status(): VaultStatus {
    const storage = this.access.storage();
    const { meta, records } = storage;
    return {
      initialised: meta.keystore !== null,
      unlocked: this.keyring.unlocked,
      schemaVersion: meta.schemaVersion,
      settings: meta.settings,
      counts: { holders: records.size('holders'), cards: records.size('cards'), certificates: records.size('certificates') },
    };
  }

  /**
   * Sets the first passphrase and leaves the vault unlocked. Two windows asking at once are
   * served one after the other: the second finds the vault made (VAULT_EXISTS), and never puts
   * its own key into the keyring.
   */
  init(passphrase: Buffer, op: OperationContext): Promise<void> {
    const run = this.#initialising.catch(() => undefined).then(() => this.#init(passphrase, op));
    this.#initialising = run;
    return run;
  }

  #initialising: Promise<void> = Promise.resolve();

  async #init(passphrase: Buffer, op: OperationContext): Promise<void> {
    const storage = this.access.storage();
    if (storage.meta.keystore !== null) throw new CardDeskError('VAULT_EXISTS', 'The vault already has a passphrase. Unlock it instead.');
    checkStrength(passphrase);
    const dek = randomBytes(32);
    const kdf = newKdfParams();
    const kek = await this.passphraseGuard.derive(passphrase, kdf);
    let wrappedKey: Sealed;
    try {
      wrappedKey = seal(kek, dek, DEK_PURPOSE);
    } finally {
      kek.fill(0);
    }
    this.keyring.setIdleMinutes(storage.meta.settings.idleLockMinutes);
    this.keyring.unlock(dek);
    try {
      // The passphrase's keystore, the audit key, the log's anchor (from its first signed
      // checkpoint on, see audit/audit-anchor.ts) and the event: one atomic write of vault.json,
      // so a stop anywhere leaves either no vault or a vault whose creation is recorded.
      const auditKey = await newAuditKey(this.keyring);
      await new ChangeRecorder(this.access, this.audit).commitMeta(
        (meta) => {
          if (meta.keystore !== null) throw new CardDeskError('VAULT_EXISTS', 'The vault already has a passphrase. Unlock it instead.');
          return { ...meta, keystore: { kdf, wrappedKey }, auditKey, auditAnchor: { head: null } };
        },
        { action: 'vault.init', outcome: 'success', ...op },
      );
    } catch (error) {
      if (this.access.storage().meta.keystore === null) this.keyring.lock();
      throw error;
    }
    await this.onAuditKey();
    this.onChange();
  }

  /**
   * Whether the desk is out of its first-run bootstrap (an active CA administrator holds a valid
   * operator card, OperatorLookup.bootstrapOver): the vault then opens with operator cards and the
   * passphrase is the recovery unlock (issue 17 §2). Set by createVaultServices.
   */
  recoveryRequired: () => boolean = () => false;

  /**
   * `source` is who is guessing (a browser session, a window, a CLI process): its attempts run one
   * after another, and each wrong passphrase makes it wait longer before the next.
   *
   * `how`: `desk` (the default) is refused with APPROVAL_REQUIRED out of the bootstrap, before the
   * passphrase is tried; `approved` is the recovery unlock a second operator approved (dual-control.ts),
   * recorded as `vault.recoveryUnlock` naming both; `cliCommand` is a CLI command that already holds
   * an operator's credential and its roles (cli-authorisation.ts ran before it asks the passphrase).
   */
  async unlock(passphrase: Buffer, op: OperationContext, source = 'local', how: PassphraseUnlock = { kind: 'desk' }): Promise<UnlockResult> {
    const keystore = this.#keystore();
    if (how.kind === 'desk' && this.recoveryRequired()) {
      await this.audit.record({ action: 'vault.recoveryUnlock', outcome: 'failure', reason: 'approvalRequired', details: { source }, ...op });
      throw new CardDeskError('APPROVAL_REQUIRED', RECOVERY_NEEDS_APPROVAL);
    }
    const { dek, failures, nextDelayMs } = await this.#tryPassphrase(source, passphrase, keystore, 'vault');
    const action = how.kind === 'approved' ? 'vault.recoveryUnlock' : 'vault.unlock';
    const approval: Record<string, string> = how.kind === 'approved' ? { approvedBy: how.approvedBy } : {};
    if (dek === null) {
      await this.audit.record({ action, outcome: 'failure', reason: 'wrong passphrase', details: { source, failures, nextDelayMs, ...approval }, ...op });
      return { ok: false, reason: 'wrongPassphrase' };
    }
    this.keyring.setIdleMinutes(this.access.storage().meta.settings.idleLockMinutes);
    this.keyring.unlock(dek);
    await this.#ensureAuditKey();
    await this.audit.record({ action, outcome: 'success', ...(how.kind === 'approved' ? { details: approval } : {}), ...op });
    // Signs every record before it, those written while the vault was locked included.
    await this.onAuditKey();
    this.onChange();
    return { ok: true };
  }

  /** Unlocks or throws WRONG_PASSPHRASE: for CLI commands, which need secrets in one go and hold an operator's credential. */
  async unlockOrThrow(passphrase: Buffer, op: OperationContext, source = 'local'): Promise<void> {
    const result = await this.unlock(passphrase, op, source, { kind: 'cliCommand' });
    if (!result.ok) throw new CardDeskError('WRONG_PASSPHRASE', 'The vault passphrase is wrong. Nothing was changed.');
  }

  /**
   * Unlocks with the data key a card opened (operators/vault-card-keys.ts, issue 17 §2): recorded
   * as `vault.cardUnlock` naming the operator and the card. Takes ownership of `dek`.
   */
  async unlockWithCardKey(dek: Buffer, op: OperationContext & { cardSerial: string }): Promise<void> {
    this.keyring.setIdleMinutes(this.access.storage().meta.settings.idleLockMinutes);
    this.keyring.unlock(dek);
    await this.#ensureAuditKey();
    await this.audit.record({ action: 'vault.cardUnlock', outcome: 'success', actor: op.actor, channel: op.channel, cardSerial: op.cardSerial });
    await this.onAuditKey();
    this.onChange();
  }

  /**
   * Makes a new one-time recovery code (the first administrator's bootstrap; needs the vault
   * unlocked) replacing any earlier one; the code is returned once and never stored.
   */
  async issueRecoveryCode(op: OperationContext): Promise<string> {
    if (!this.keyring.unlocked) throw new CardDeskError('VAULT_LOCKED', 'Unlock the vault to make a recovery code.');
    const { code, stored } = await newRecoveryCode(this.passphraseGuard, new Date());
    await new ChangeRecorder(this.access, this.audit).commitMeta((meta) => ({ ...meta, recoveryCode: stored }), { action: 'vault.recoveryCodeIssue', outcome: 'success', ...op });
    return code;
  }

  /**
   * The recovery for a lost last administrator card: the passphrase and the one-time recovery code
   * open the vault (recorded as `vault.recoveryUnlock`, method recoveryCode); the code is used up and
   * a new one is returned, to be shown once. Wrong answers back off per source like the passphrase.
   */
  async recover(passphrase: Buffer, code: string, op: OperationContext, source = 'local'): Promise<{ ok: true; newCode: string } | { ok: false; reason: 'wrongPassphrase' | 'wrongRecoveryCode' | 'noRecoveryCode' }> {
    const keystore = this.#keystore();
    const stored = this.access.storage().meta.recoveryCode ?? null;
    const details = { source, method: 'recoveryCode' };
    if (stored === null) {
      await this.audit.record({ action: 'vault.recoveryUnlock', outcome: 'failure', reason: 'no recovery code', details, ...op });
      return { ok: false, reason: 'noRecoveryCode' };
    }
    const codeCheck = await this.passphraseGuard.attempt(source, async () => {
      const ok = await recoveryCodeMatches(this.passphraseGuard, stored, code);
      return { ok, value: ok };
    });
    if (!codeCheck.value) {
      await this.audit.record({ action: 'vault.recoveryUnlock', outcome: 'failure', reason: 'wrong recovery code', details: { ...details, failures: codeCheck.failures }, ...op });
      return { ok: false, reason: 'wrongRecoveryCode' };
    }
    const { dek, failures } = await this.#tryPassphrase(source, passphrase, keystore, 'vault');
    if (dek === null) {
      await this.audit.record({ action: 'vault.recoveryUnlock', outcome: 'failure', reason: 'wrong passphrase', details: { ...details, failures }, ...op });
      return { ok: false, reason: 'wrongPassphrase' };
    }
    this.keyring.setIdleMinutes(this.access.storage().meta.settings.idleLockMinutes);
    this.keyring.unlock(dek);
    await this.#ensureAuditKey();
    // The code is used up in the same write as the event; the new one is shown once.
    const next = await newRecoveryCode(this.passphraseGuard, new Date());
    await new ChangeRecorder(this.access, this.audit).commitMeta((meta) => ({ ...meta, recoveryCode: next.stored }), { action: 'vault.recoveryUnlock', outcome: 'success', details, ...op });
    await this.onAuditKey();
    this.onChange();
    return { ok: true, newCode: next.code };
  }

  async lock(op: OperationContext): Promise<void> {
    this.keyring.lock();
    await this.audit.record({ action: 'vault.lock', outcome: 'success', ...op });
    this.onChange();
  }

  async changePassphrase(current: Buffer, next: Buffer, op: OperationContext, source = 'local'): Promise<UnlockResult> {
    const keystore = this.#keystore();
    const { dek, failures, nextDelayMs } = await this.#tryPassphrase(source, current, keystore, 'vault');
    if (dek === null) {
      await this.audit.record({ action: 'vault.passphraseChange', outcome: 'failure', reason: 'wrong passphrase', details: { source, failures, nextDelayMs }, ...op });
      return { ok: false, reason: 'wrongPassphrase' };
    }
    checkStrength(next);
    const kdf = newKdfParams();
    const kek = await this.passphraseGuard.derive(next, kdf);
    try {
      const wrappedKey = seal(kek, dek, DEK_PURPOSE);
      // The new keystore and its event in one write (change-events.ts).
      await new ChangeRecorder(this.access, this.audit).commitMeta((meta) => ({ ...meta, keystore: { kdf, wrappedKey } }), {
        action: 'vault.passphraseChange',
        outcome: 'success',
        ...op,
      });
    } finally {
      kek.fill(0);
    }
    this.keyring.unlock(dek);
    return { ok: true };
  }

  async updateSettings(change: { idleLockMinutes?: number; personalNumberRule?: PersonalNumberRule }, op: OperationContext): Promise<VaultStatus> {
    if (change.personalNumberRule !== undefined) {
      // The rule decides which holders can be saved: an administrator's change, made with the vault open.
      if (!this.keyring.unlocked) throw new CardDeskError('VAULT_LOCKED', 'Unlock the vault to change the personal-number rule.');
      if (change.personalNumberRule.kind === 'pattern') await checkPersonalNumberPattern(change.personalNumberRule.pattern);
    }
    const details: Record<string, string | number> = {};
    if (change.idleLockMinutes !== undefined) details['idleLockMinutes'] = change.idleLockMinutes;
    if (change.personalNumberRule !== undefined) details['personalNumberRule'] = JSON.stringify(change.personalNumberRule);
    await new ChangeRecorder(this.access, this.audit).commitMeta((meta) => ({ ...meta, settings: { ...meta.settings, ...change } }), {
      action: 'settings.change',
      outcome: 'success',
      details,
      ...op,
    });
    if (change.idleLockMinutes !== undefined) this.keyring.setIdleMinutes(change.idleLockMinutes);
    this.onChange();
    return this.status();
  }

  /** Writes an encrypted backup (needs the vault unlocked); `file` defaults to the backups folder. */
  async backup(op: OperationContext, file?: string, options: { force?: boolean } = {}): Promise<string> {
    const storage = this.access.storage();
    const keystore = this.#keystore();
    const dek = this.keyring.exportKey();
    const target = file ?? join(this.backupDir, `carddesk-${new Date().toISOString().replace(/[:.]/g, '-')}.cdbackup`);
    try {
      // Compressed in the thread pool: a large directory takes a while.
      const payload = await promisify(gzip)(Buffer.from(JSON.stringify({ meta: storage.meta, records: storage.records.dump() })));
      const backup: BackupFile = {
        format: 'carddesk-backup',
        createdAt: new Date().toISOString(),
        kdf: keystore.kdf,
        wrappedKey: keystore.wrappedKey,
        payload: seal(dek, payload, BACKUP_PURPOSE),
      };
      if (file === undefined) {
        await ensurePrivateDirAsync(this.backupDir);
        await writeFileDurably(target, JSON.stringify(backup));
      } else {
        // A file the user named: never through a link, replaced only when asked.
        await writeUserFile(target, JSON.stringify(backup), { mode: PRIVATE_FILE_MODE, force: options.force === true });
      }
    } finally {
      dek.fill(0);
    }
    await this.audit.record({ action: 'vault.backup', outcome: 'success', details: { file: basename(target) }, ...op });
    return target;
  }

  /** The backups folder's backup files; links, folders and entries that vanish meanwhile are left out, never an error. */
  async listBackups(): Promise<BackupInfo[]> {
    let entries: Dirent[];
    try {
      entries = await readdir(this.backupDir, { withFileTypes: true });
    } catch {
      return [];
    }
    const found = await Promise.all(
      entries
        .filter((entry) => entry.isFile() && entry.name.endsWith('.cdbackup'))
        .map(async (entry) => {
          const stat = await lstat(join(this.backupDir, entry.name)).catch(() => null);
          return stat?.isFile() === true ? [{ fileName: entry.name, createdAt: stat.mtime.toISOString(), bytes: stat.size }] : [];
        }),
    );
    return found.flat().sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  /**
   * Replaces the whole vault with a backup, after checking the backup's passphrase. The backup's
   * passphrase becomes the vault's; the vault is left unlocked with the backup's key.
   */
  async restore(file: string, passphrase: Buffer, op: OperationContext, source = 'local'): Promise<UnlockResult> {
    let backup: BackupFile;
    try {
      backup = JSON.parse(await readFile(file, 'utf8')) as BackupFile;
      if (backup.format !== 'carddesk-backup' || typeof backup.wrappedKey !== 'object' || typeof backup.payload !== 'object') throw new Error('not a backup');
    } catch (error) {
      throw new CardDeskError('MALFORMED_INPUT', `${basename(file)} is not a CardDesk backup.`, { cause: error });
    }
    const { dek, failures, nextDelayMs } = await this.#tryPassphrase(source, passphrase, backup, basename(file));
    if (dek === null) {
      await this.audit.record({ action: 'vault.restore', outcome: 'failure', reason: 'wrong passphrase', details: { source, failures, nextDelayMs }, ...op });
      return { ok: false, reason: 'wrongPassphrase' };
    }
    const payload = unseal(dek, backup.payload, BACKUP_PURPOSE);
    if (payload === null) {
      dek.fill(0);
      throw new CardDeskError('VAULT_CORRUPT', `${basename(file)} is damaged: its contents fail their integrity check.`);
    }
    const content = JSON.parse((await promisify(gunzip)(payload)).toString('utf8')) as { meta: VaultMeta; records: Record<string, StoredRecord[]> };
    const storage = this.access.storage();
    try {
      await storage.records.replaceAll(content.records, content.meta.schemaVersion);
    } catch (error) {
      // The backup's records could not be written: read the vault back as the disk has it.
      dek.fill(0);
      await this.access.reopen();
      throw error;
    }
    await storage.updateMeta(() => content.meta);
    // Reopening runs any migration the backup needs and rebuilds every index.
    await this.access.reopen();
    this.keyring.unlock(dek);
    await this.#ensureAuditKey();
    await this.audit.record({ action: 'vault.restore', outcome: 'success', details: { file: basename(file) }, ...op });
    // The backup's audit key (if it had one) signs from now on; an earlier one is an anchor problem.
    await this.onAuditKey();
    this.onChange();
    return { ok: true };
  }

  /**
   * Checks a passphrase against a wrapped data key, through the guard; `file` is 'vault' for the
   * vault's own keystore, else the backup's name. The KDF parameters come from
   * a file (the vault's or a backup's) and are bounded before scrypt runs: a crafted N of 2^30
   * would take gigabytes and stall every session.
   */
  async #tryPassphrase(source: string, passphrase: Buffer, keystore: { kdf: KdfParams; wrappedKey: Sealed }, file: string): Promise<{ dek: Buffer | null; failures: number; nextDelayMs: number }> {
    const outOfBounds = kdfOutOfBounds(keystore.kdf);
    if (outOfBounds !== null) {
      throw file === 'vault'
        ? new CardDeskError('VAULT_CORRUPT', `The vault file's key-derivation settings cannot be used: ${outOfBounds}. It was changed outside CardDesk; nothing was tried.`)
        : new CardDeskError('MALFORMED_INPUT', `${file} cannot be restored: ${outOfBounds}. It was not written by CardDesk or was changed; nothing was changed.`);
    }
    const result = await this.passphraseGuard.attempt(source, async () => {
      const kek = await this.passphraseGuard.derive(passphrase, keystore.kdf);
      try {
        const dek = unseal(kek, keystore.wrappedKey, DEK_PURPOSE);
        return { ok: dek !== null, value: dek };
      } finally {
        kek.fill(0);
      }
    });
    return { dek: result.value, failures: result.failures, nextDelayMs: result.nextDelayMs };
  }

  #keystore(): NonNullable<VaultMeta['keystore']> {
    const keystore = this.access.storage().meta.keystore;
    if (keystore === null) throw new CardDeskError('VAULT_NOT_INITIALISED', 'The vault has no passphrase yet. Create it first (carddesk vault init, or the first-run wizard).');
    return keystore;
  }
}


function checkStrength(passphrase: Buffer): void {
  if ([...passphrase.toString('utf8')].length < MIN_PASSPHRASE_LENGTH) {
    throw new CardDeskError('MALFORMED_INPUT', `The vault passphrase must be at least ${MIN_PASSPHRASE_LENGTH} characters long.`);
  }
}
