/**
 * What the vault remembers of a card's personalisation while it runs and after it stopped: whose
 * card it is, which steps are done, the public keys made and the certificates issued, and where it
 * failed. A resume picks up from here. PIN and PUK are not kept (a resumed personalisation sets
 * new ones and withdraws the earlier run's letters), with one exception: a card issued for its
 * holder to choose the PIN keeps its random transport PIN here, sealed under the vault key like the
 * management keys, until the holder's new PIN replaced it on the card.
 */
import type { WorkflowStep } from '../../shared/schemas/lifecycle';
import type { VaultKeyring } from '../vault/keyring';
import type { Sealed } from '../vault/sealing';
import type { VaultAccess } from '../vault/vault-access';

export const PERSONALISATIONS = 'personalisations';

export type KeySlot = '9A' | '9C' | '9D' | '9E';

export interface PersonalisationRecord {
  /** The card's serial. */
  readonly id: string;
  readonly holderId: string;
  readonly startedAt: string;
  readonly updatedAt: string;
  readonly done: readonly WorkflowStep[];
  readonly failedStep: WorkflowStep | null;
  readonly failure: string | null;
  /** SPKI DER, base64, of each key made. */
  readonly publicKeys: Partial<Record<KeySlot, string>>;
  /** The escrow record of the encryption key, when it was escrowed. */
  readonly escrowId: string | null;
  /** Serials of the certificates issued for each slot. */
  readonly certificates: Partial<Record<KeySlot, string>>;
  /** Letters this run left in the outbox (withdrawn if a later run replaces the PIN). */
  readonly letters: readonly string[];
  /** The lost or stolen card this one replaces; its escrowed keys are recovered onto this one. */
  readonly replaces: string | null;
  /** The contract made for the card (signed by the holder to activate it). */
  readonly contractId?: string | null;
  /** A renewal under way (or stopped): the new keys and certificates so far; a new renewal finishes it. */
  readonly renewal?: RenewalProgress | null;
  /** Issued under holderChoosesPin: no PIN was printed, the holder chooses it at activation. */
  readonly pinChosenByHolder?: boolean;
  /** The transport PIN set at issuance, sealed, until the card took the holder's chosen PIN (then null). */
  readonly transportPin?: Sealed | null;
  /**
   * The card's PUK, sealed under the vault key from issuance (issue 15), as card management systems
   * keep it: the operator's PIN reset and the holder's recovery-code unblock use it with the
   * standard RESET RETRY COUNTER. Absent on cards issued before.
   */
  readonly puk?: Sealed | null;
  /** An operator card (issue 17): its 9A certificate is of the `operator` profile. Absent: a holder's card. */
  readonly purpose?: 'operator';
}

export interface RenewalProgress {
  readonly startedAt: string;
  readonly publicKeys: Partial<Record<KeySlot, string>>;
  readonly escrowId: string | null;
  readonly certificates: Partial<Record<KeySlot, string>>;
}

const transportPurpose = (serial: string): string => `card-transport-pin:${serial}`;
const pukPurpose = (serial: string): string => `card-puk:${serial}`;

export class PersonalisationStore {
  constructor(
    private readonly access: VaultAccess,
    private readonly keyring: VaultKeyring,
  ) {}

  get(serial: string): PersonalisationRecord | undefined {
    return this.access.storage().records.get<PersonalisationRecord>(PERSONALISATIONS, serial);
  }

  async put(record: PersonalisationRecord): Promise<PersonalisationRecord> {
    await this.access.storage().records.commit([{ collection: PERSONALISATIONS, id: record.id, record }]);
    return record;
  }

  /** Applies `change` to the stored record and keeps the result (durable when it resolves). */
  async update(serial: string, change: (record: PersonalisationRecord) => Partial<PersonalisationRecord>): Promise<PersonalisationRecord> {
    const record = this.get(serial);
    if (record === undefined) throw new Error(`no personalisation record for ${serial}`);
    return this.put({ ...record, ...change(record), updatedAt: new Date().toISOString() });
  }

  markDone(serial: string, step: WorkflowStep, change: Partial<PersonalisationRecord> = {}): Promise<PersonalisationRecord> {
    return this.update(serial, (record) => ({ ...change, done: record.done.includes(step) ? record.done : [...record.done, step], failedStep: null, failure: null }));
  }

  /** Keeps the card's transport PIN (sealed) for the holder's choice of PIN at activation. The caller zeroes `pin`. */
  keepTransportPin(serial: string, pin: Buffer): Promise<PersonalisationRecord> {
    const sealed = this.keyring.seal(pin, transportPurpose(serial));
    return this.update(serial, () => ({ pinChosenByHolder: true, transportPin: sealed }));
  }

  /** Whether the card's transport PIN is still waiting for the holder's chosen PIN. */
  transportPinPending(serial: string): boolean {
    const sealed = this.get(serial)?.transportPin;
    return sealed !== undefined && sealed !== null;
  }

  /** The card's transport PIN in a Buffer the caller zeroes, or null when there is none. */
  transportPin(serial: string): Buffer | null {
    const sealed = this.get(serial)?.transportPin;
    return sealed === undefined || sealed === null ? null : this.keyring.open(sealed, transportPurpose(serial));
  }

  /** The card took the holder's PIN (or its PIN was set otherwise): the transport PIN is forgotten. */
  async forgetTransportPin(serial: string): Promise<void> {
    if (!this.transportPinPending(serial)) return;
    await this.update(serial, () => ({ transportPin: null }));
  }

  /** A personalisation whose PIN goes in a letter: no transport PIN, not chosen by the holder. */
  async pinInLetter(serial: string): Promise<void> {
    const record = this.get(serial);
    if (record?.pinChosenByHolder !== true && !this.transportPinPending(serial)) return;
    await this.update(serial, () => ({ pinChosenByHolder: false, transportPin: null }));
  }

  /** Keeps the card's PUK sealed (issue 15). The caller zeroes `puk`. */
  keepPuk(serial: string, puk: Buffer): Promise<PersonalisationRecord> {
    const sealed = this.keyring.seal(puk, pukPurpose(serial));
    return this.update(serial, () => ({ puk: sealed }));
  }

  /** Whether the vault keeps the card's PUK (cards issued before it did do not have it). */
  hasPuk(serial: string): boolean {
    const sealed = this.get(serial)?.puk;
    return sealed !== undefined && sealed !== null;
  }

  /** The card's PUK in a Buffer the caller zeroes, or null when the vault does not keep it. */
  puk(serial: string): Buffer | null {
    const sealed = this.get(serial)?.puk;
    return sealed === undefined || sealed === null ? null : this.keyring.open(sealed, pukPurpose(serial));
  }
}
