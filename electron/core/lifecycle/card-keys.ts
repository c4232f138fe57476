/**
 * Each issued card's own management key (9B), kept sealed in the vault. Keys are diversified: an
 * HKDF of the vault's card master secret over the card's serial and a generation number, so no
 * two cards (nor two personalisations of one card) share a key, and a key cannot be guessed from
 * another card's. The derived key is sealed and stored too, so a card's key never depends on the
 * master secret staying the same. A new key is stored as `pending` before it is written to the
 * card and promoted once the card took it: a crash in between leaves both candidates known.
 */
import { promisify } from 'node:util';
import { hkdf, randomBytes } from 'node:crypto';
import { CardDeskError } from '../../shared/errors';
import { FACTORY, symmetricAlgorithms, type SymmetricAlgorithm } from '../../smartcard/piv';
import type { VaultKeyring } from '../vault/keyring';
import type { VaultAccess } from '../vault/vault-access';
import type { Sealed } from '../vault/sealing';

export const CARD_KEYS = 'cardKeys';
const MASTER_ID = '#master';

interface SealedKey {
  readonly algorithm: SymmetricAlgorithm;
  readonly generation: number;
  readonly sealed: Sealed;
}

interface CardKeyRecord {
  readonly id: string;
  readonly current: SealedKey | null;
  readonly pending: SealedKey | null;
  readonly updatedAt: string;
}

interface MasterRecord {
  readonly id: typeof MASTER_ID;
  readonly sealed: Sealed;
}

export interface ManagementKey {
  readonly algorithm: SymmetricAlgorithm;
  /** Zero it after use. */
  readonly key: Buffer;
  readonly source: 'current' | 'pending' | 'factory';
}

const purpose = (serial: string): string => `card-management-key:${serial}`;

export class CardKeyStore {
  constructor(
    private readonly access: VaultAccess,
    private readonly keyring: VaultKeyring,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  #records() {
    return this.access.storage().records;
  }

  async #master(): Promise<Buffer> {
    const stored = this.#records().get<MasterRecord>(CARD_KEYS, MASTER_ID);
    if (stored !== undefined) return this.keyring.open(stored.sealed, 'card-master-secret');
    const secret = randomBytes(32);
    const record: MasterRecord = { id: MASTER_ID, sealed: this.keyring.seal(secret, 'card-master-secret') };
    await this.#records().commit([{ collection: CARD_KEYS, id: MASTER_ID, record }]);
    return secret;
  }

  #put(record: CardKeyRecord): Promise<void> {
    return this.#records().commit([{ collection: CARD_KEYS, id: record.id, record }]);
  }

  #record(serial: string): CardKeyRecord | undefined {
    return this.#records().get<CardKeyRecord>(CARD_KEYS, serial);
  }

  /** Derives the card's next key and stores it as pending (durably) before anyone writes it to the card. */
  async prepare(serial: string, algorithm: SymmetricAlgorithm): Promise<Buffer> {
    const record = this.#record(serial);
    const generation = Math.max(record?.current?.generation ?? 0, record?.pending?.generation ?? 0) + 1;
    const master = await this.#master();
    const key = Buffer.from(await promisify(hkdf)('sha256', master, Buffer.from(serial), `carddesk piv management key ${algorithm} ${generation}`, symmetricAlgorithms[algorithm].keyLength));
    master.fill(0);
    const pending: SealedKey = { algorithm, generation, sealed: this.keyring.seal(key, purpose(serial)) };
    try {
      await this.#put({ id: serial, current: record?.current ?? null, pending, updatedAt: this.clock().toISOString() });
    } catch (error) {
      key.fill(0);
      throw error;
    }
    return key;
  }

  /** The card took the pending key: it becomes the current one. */
  async confirm(serial: string): Promise<void> {
    const record = this.#record(serial);
    if (record?.pending === undefined || record.pending === null) throw new CardDeskError('INVALID_STATE', `No new management key is waiting for card ${serial}.`);
    await this.#put({ ...record, current: record.pending, pending: null, updatedAt: this.clock().toISOString() });
  }

  /** The card was reset to its factory key: the vault forgets its keys. */
  async forget(serial: string): Promise<void> {
    if (this.#record(serial) === undefined) return;
    await this.#records().commit([{ collection: CARD_KEYS, id: serial, record: null }]);
  }

  /** The card's current key, or null when the vault has none. */
  current(serial: string): ManagementKey | null {
    const sealed = this.#record(serial)?.current ?? null;
    return sealed === null ? null : { algorithm: sealed.algorithm, key: this.keyring.open(sealed.sealed, purpose(serial)), source: 'current' };
  }

  /** Every key the card may have now, most likely first: current, pending, then (optionally) the factory key. */
  candidates(serial: string, includeFactory: boolean): ManagementKey[] {
    const record = this.#record(serial);
    const keys: ManagementKey[] = [];
    for (const source of ['current', 'pending'] as const) {
      const sealed = record?.[source] ?? null;
      if (sealed !== null) keys.push({ algorithm: sealed.algorithm, key: this.keyring.open(sealed.sealed, purpose(serial)), source });
    }
    if (includeFactory) keys.push({ algorithm: 'tdes', key: Buffer.from(FACTORY.MANAGEMENT_KEY), source: 'factory' });
    return keys;
  }
}
