/**
 * Keeps the vault's card wrappings (issue 17 §2) in step with the operators: while the vault is
 * unlocked, every active operator's valid operator card (its operator certificate valid now) has
 * the data key wrapped for the card's 9D key-management key; a wrapping whose operator is no
 * longer active, or whose operator certificate was revoked, put on hold or expired, just goes
 * (the data key never has to change: without the wrapping the card opens nothing).
 *
 * Which operators: every active one, whatever their roles. Opening the vault is not a permission of
 * its own: each service checks the signed-in operator's roles, and an operator of any role must be
 * able to start their work at a locked desk. The passphrase is the recovery unlock.
 *
 * Runs after every unlock and whenever the operators or the certificates change while unlocked;
 * each change of the wrappings is one vault.json write with its `vault.cardKeysChange` event.
 */
import type { AuditTrail } from '../audit/audit-trail';
import { CERTIFICATES, type CertificateRecord } from '../ca/certificate-records';
import type { Logger } from '../log/logger';
import { ChangeRecorder } from '../vault/change-events';
import type { AuditChannel } from '../../shared/schemas/audit';
import { certificateFingerprint, unwrapWithCard, wrapForCard, type CardKeyOperations, type CardWrapping } from '../vault/card-wrap';
import type { VaultKeyring } from '../vault/keyring';
import type { VaultAccess } from '../vault/vault-access';
import { OPERATORS } from './operator-directory';

interface StoredOperatorState {
  readonly id: string;
  readonly holderId: string;
  readonly state: string;
}

interface Wanted {
  readonly operatorId: string;
  readonly cardSerial: string;
  readonly encryption: CertificateRecord;
}

const SYSTEM = { actor: { kind: 'system' as const, id: 'vault-card-keys' }, channel: 'desk' as const };

function key(w: { operatorId: string; cardSerial: string; certificateSerial: string }): string {
  return `${w.operatorId}/${w.cardSerial}/${w.certificateSerial.toUpperCase()}`;
}

export class VaultCardKeys {
  #running: Promise<void> = Promise.resolve();
  #watching: object | null = null;

  constructor(
    private readonly deps: {
      access: VaultAccess;
      keyring: VaultKeyring;
      audit: AuditTrail;
      log: Logger;
      clock: () => Date;
      /** Opens the vault with a data key a card unwrapped (VaultService.unlockWithCardKey). */
      open: (dek: Buffer, op: { actor: { kind: 'operator'; id: string }; channel: AuditChannel; cardSerial: string }) => Promise<void>;
    },
  ) {}

  /** Whether the wrappings are in step (after the last change seen); for tests and shutdown. */
  settled(): Promise<void> {
    return this.#running.catch(() => undefined);
  }

  /**
   * Opens the locked vault with the card of a signed-in operator (PIN verified on `card`, its
   * certificates checked): the wrapping for this operator and card whose 9D certificate is the one
   * on the card. False when none opens (no wrapping, another key): nothing is unlocked.
   */
  async unlockWithCard(card: CardKeyOperations & { readCertificate(slot: string): Promise<Uint8Array | null> }, cardSerial: string, operatorId: string, channel: AuditChannel): Promise<boolean> {
    const candidates = this.wrappings().filter((w) => w.operatorId === operatorId && w.cardSerial === cardSerial);
    if (candidates.length === 0) return false;
    const onCard = await card.readCertificate('9D');
    if (onCard === null) return false;
    const fingerprint = certificateFingerprint(Buffer.from(onCard));
    const wrapping = candidates.find((w) => w.fingerprint === fingerprint);
    if (wrapping === undefined) return false;
    const dek = await unwrapWithCard(card, wrapping);
    if (dek === null) return false;
    await this.deps.open(dek, { actor: { kind: 'operator', id: operatorId }, channel, cardSerial });
    return true;
  }

  /** The wrappings the vault holds now (none before the first operator card). */
  wrappings(): readonly CardWrapping[] {
    return this.deps.access.storage().meta.cardWrappings ?? [];
  }

  /** The cards that should open the vault now: an active operator's card with a valid operator and a valid encryption certificate. */
  #wanted(): Wanted[] {
    const records = this.deps.access.storage().records;
    const now = this.deps.clock().getTime();
    const active = new Map<string, string>();
    for (const operator of records.values<StoredOperatorState>(OPERATORS)) if (operator.state === 'active') active.set(operator.holderId, operator.id);
    const certificates = [...records.values<CertificateRecord>(CERTIFICATES)];
    const usable = (c: CertificateRecord): boolean => c.status === 'valid' && Date.parse(c.notBefore) <= now && Date.parse(c.notAfter) > now;
    const wanted: Wanted[] = [];
    for (const c of certificates) {
      if (c.profile !== 'operator' || c.holderId === null || c.cardSerial === null || !usable(c)) continue;
      const operatorId = active.get(c.holderId);
      if (operatorId === undefined) continue;
      const encryption = certificates
        .filter((e) => e.profile === 'encryption' && e.cardSerial === c.cardSerial && e.holderId === c.holderId && usable(e))
        .sort((a, b) => b.issuedAt.localeCompare(a.issuedAt))[0];
      if (encryption !== undefined) wanted.push({ operatorId, cardSerial: c.cardSerial, encryption });
    }
    return wanted;
  }

  /** Brings the wrappings in step (a no-op while locked); one run at a time. */
  sync(): Promise<void> {
    const run = this.#running.catch(() => undefined).then(() => this.#sync());
    this.#running = run;
    return run;
  }

  async #sync(): Promise<void> {
    const { access, keyring } = this.deps;
    if (!access.isOpen || !keyring.unlocked) return;
    this.#watch();
    const wanted = this.#wanted();
    const current = this.wrappings();
    const wantedKeys = new Set(wanted.map((w) => key({ ...w, certificateSerial: w.encryption.serial })));
    const kept = current.filter((w) => wantedKeys.has(key(w)));
    const removed = current.filter((w) => !wantedKeys.has(key(w)));
    const have = new Set(kept.map(key));
    const missing = wanted.filter((w) => !have.has(key({ ...w, certificateSerial: w.encryption.serial })));
    if (missing.length === 0 && removed.length === 0) return;
    const added: CardWrapping[] = [];
    const dek = keyring.exportKey();
    try {
      for (const w of missing) {
        const der = Buffer.from(w.encryption.der, 'base64');
        added.push(await wrapForCard(dek, der, { operatorId: w.operatorId, cardSerial: w.cardSerial, certificateSerial: w.encryption.serial.toUpperCase() }, this.deps.clock()));
      }
    } finally {
      dek.fill(0);
    }
    const list = (ws: readonly CardWrapping[]): string => ws.map((w) => `${w.operatorId}:${w.cardSerial}`).join(',');
    await new ChangeRecorder(access, this.deps.audit).commitMeta((meta) => ({ ...meta, cardWrappings: [...kept, ...added] }), {
      action: 'vault.cardKeysChange',
      outcome: 'success',
      details: { added: list(added), removed: list(removed) },
      ...SYSTEM,
    });
  }

  /** Syncs again when the operators or the certificates change (once per opened record store). */
  #watch(): void {
    const records = this.deps.access.storage().records;
    if (this.#watching === records) return;
    this.#watching = records;
    records.onChange((changes) => {
      if (!changes.some((change) => change.collection === OPERATORS || change.collection === CERTIFICATES)) return;
      this.sync().catch((error: unknown) => this.deps.log.error('the vault key could not be wrapped for the operator cards', { error }));
    });
  }
}
