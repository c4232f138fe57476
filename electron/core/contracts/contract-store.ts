/**
 * The vault's contracts: each contract's record (whose, which card and certificates, language,
 * kind, when generated and signed, the SHA-256 of every version of its bytes) in the vault's
 * record store, and its bytes as files in `<vault>/contracts/`, written durably.
 *
 * Immutable once signed: the signed bytes are an incremental update of the unsigned ones (they
 * begin with them, which is checked against the recorded hash), a second signature is refused,
 * and the only later change accepted is another incremental update that keeps every signed byte
 * as it is (validation data, a document time-stamp: PAdES B-LT and B-LTA), kept as a new file
 * beside the earlier ones. Bytes are only ever served after their SHA-256 matches the record: a
 * changed or missing file is reported as damaged, never served.
 *
 * The store records nothing in the audit log itself: each change returns the SHA-256 the caller
 * records (at generation, signature and every download).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { contractStatuses } from '../../shared/enums';
import type { ContractSummary } from '../../shared/schemas/contracts';
import { PRIVATE_DIR_MODE, writeFileDurably } from '../files/safe-file';
import { fold } from '../directory/holder-index';
import type { VaultAccess } from '../vault/vault-access';
import { vaultDirOf } from '../vault/vault-storage';
import type { ContractKind, ContractLanguage } from './document/contract-data';

export const CONTRACTS = 'contracts';

export type ContractStatus = (typeof contractStatuses)[number];

export function contractsDirOf(dataDir: string): string {
  return join(vaultDirOf(dataDir), 'contracts');
}

/** One stored version of a contract's bytes. */
export interface ContractVersion {
  /** The file in the contracts folder. */
  readonly file: string;
  readonly sha256: string;
  readonly byteLength: number;
  /** When it was stored (ISO 8601). */
  readonly storedAt: string;
}

export interface ContractRecord {
  readonly id: string;
  readonly holderId: string;
  /** The holder's name as printed in the contract (for the list and its search). */
  readonly holderName: string;
  readonly cardSerial: string;
  /** Hex serials of the certificates the contract names. */
  readonly certificateSerials: readonly string[];
  readonly language: ContractLanguage;
  readonly kind: ContractKind;
  readonly generatedAt: string;
  readonly pages: number;
  readonly unsigned: ContractVersion;
  readonly signedAt: string | null;
  readonly signed: ContractVersion | null;
  /** Incremental updates after the signature (validation data, document time-stamps), oldest first. */
  readonly updates: readonly ContractVersion[];
}

export interface NewContract {
  readonly id: string;
  readonly holderId: string;
  readonly holderName: string;
  readonly cardSerial: string;
  readonly certificateSerials: readonly string[];
  readonly language: ContractLanguage;
  readonly kind: ContractKind;
  readonly generatedAt: string;
  readonly pages: number;
  /** The unsigned PDF. */
  readonly bytes: Uint8Array;
}

export type ContractRefusal = 'notFound' | 'exists' | 'invalidId' | 'notPdf' | 'alreadySigned' | 'notSigned' | 'notAnIncrementalUpdate' | 'busy';

/** A change to the store: the record and the SHA-256 of the bytes just stored, for the audit log. */
export type ContractChangeResult = { readonly ok: true; readonly record: ContractRecord; readonly sha256: string } | { readonly ok: false; readonly reason: ContractRefusal };

export type ContractReadResult =
  | { readonly ok: true; readonly record: ContractRecord; readonly bytes: Uint8Array; readonly sha256: string; readonly version: 'unsigned' | 'signed' | 'updated' }
  | { readonly ok: false; readonly reason: 'notFound' }
  /** The file no longer hashes to its record (or is gone): its bytes are not handed out. */
  | { readonly ok: false; readonly reason: 'damaged'; readonly record: ContractRecord; readonly file: string; readonly expectedSha256: string; readonly actualSha256: string | null };

export interface ContractFilter {
  readonly holderId?: string;
  readonly cardSerial?: string;
  readonly status?: ContractStatus;
  readonly language?: ContractLanguage;
  /** Words that must all appear in the holder's name, the card serial, a certificate serial or the id (case and accents ignored). */
  readonly query?: string;
}

/** Contract ids name files: letters, digits, dash and underscore, starting with a letter or digit. */
const CONTRACT_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const isPdf = (bytes: Uint8Array): boolean => Buffer.from(bytes.subarray(0, 5)).toString('latin1') === '%PDF-';

/** The latest version of a record's bytes: what a download serves. */
export function currentVersion(record: ContractRecord): ContractVersion {
  return record.updates.at(-1) ?? record.signed ?? record.unsigned;
}

export class ContractStore {
  readonly #dir: string;
  /** Contracts whose bytes were found not to match their record (until they match again). */
  readonly #damaged = new Set<string>();
  /** Signed contracts whose holder signature was found invalid by the last verification (until one finds it valid). */
  readonly #signatureInvalid = new Set<string>();
  /** Contracts with a change under way: a second change of the same contract waits its turn by being refused. */
  readonly #busy = new Set<string>();

  constructor(
    private readonly access: VaultAccess,
    private readonly clock: () => Date = () => new Date(),
    dir?: string,
  ) {
    this.#dir = dir ?? contractsDirOf(access.dataDir);
  }

  /** A new contract id: the date and 48 random bits (`CTR-20261206-5F3A9C12D4E1`). */
  newId(): string {
    const day = this.clock().toISOString().slice(0, 10).replaceAll('-', '');
    return `CTR-${day}-${randomBytes(6).toString('hex').toUpperCase()}`;
  }

  get(id: string): ContractRecord | undefined {
    return this.access.storage().records.get<ContractRecord>(CONTRACTS, id);
  }

  /** The contract as the Contracts screen lists it. */
  summary(record: ContractRecord): ContractSummary {
    return {
      id: record.id,
      holderId: record.holderId,
      holderName: record.holderName,
      cardSerial: record.cardSerial,
      language: record.language,
      kind: record.kind,
      generatedAt: record.generatedAt,
      signedAt: record.signedAt,
      status: this.#statusOf(record),
      sha256: currentVersion(record).sha256,
      pages: record.pages,
    };
  }

  /** What the service's last verification of a signed contract found: a holder signature that does not hold lists it as signatureInvalid. */
  noteSignature(id: string, valid: boolean): void {
    if (valid) this.#signatureInvalid.delete(id);
    else this.#signatureInvalid.add(id);
  }

  #statusOf(record: ContractRecord): ContractStatus {
    if (this.#damaged.has(record.id)) return 'damaged';
    if (record.signed === null) return 'awaitingSignature';
    return this.#signatureInvalid.has(record.id) ? 'signatureInvalid' : 'signed';
  }

  /** Contracts matching the filter, newest first. */
  list(filter: ContractFilter = {}): ContractSummary[] {
    const words = fold(filter.query ?? '')
      .split(/\s+/)
      .filter((word) => word !== '');
    const out: ContractSummary[] = [];
    for (const record of this.access.storage().records.values<ContractRecord>(CONTRACTS)) {
      if (filter.holderId !== undefined && record.holderId !== filter.holderId) continue;
      if (filter.cardSerial !== undefined && record.cardSerial !== filter.cardSerial) continue;
      if (filter.language !== undefined && record.language !== filter.language) continue;
      const summary = this.summary(record);
      if (filter.status !== undefined && summary.status !== filter.status) continue;
      if (words.length > 0) {
        const haystack = fold([record.holderName, record.cardSerial, record.id, ...record.certificateSerials].join(' '));
        if (!words.every((word) => haystack.includes(word))) continue;
      }
      out.push(summary);
    }
    return out.sort((a, b) => (a.generatedAt === b.generatedAt ? a.id.localeCompare(b.id) : a.generatedAt < b.generatedAt ? 1 : -1));
  }

  /** Stores a newly generated, unsigned contract. */
  async add(contract: NewContract): Promise<ContractChangeResult> {
    if (!CONTRACT_ID.test(contract.id)) return { ok: false, reason: 'invalidId' };
    if (!isPdf(contract.bytes)) return { ok: false, reason: 'notPdf' };
    return this.#exclusive(contract.id, async () => {
      if (this.get(contract.id) !== undefined) return { ok: false, reason: 'exists' };
      const unsigned = await this.#writeVersion(`${contract.id}.unsigned.pdf`, contract.bytes);
      const { bytes: _bytes, ...fields } = contract;
      const record: ContractRecord = { ...fields, certificateSerials: [...contract.certificateSerials], unsigned, signedAt: null, signed: null, updates: [] };
      await this.#commit(record, unsigned.file);
      return { ok: true, record, sha256: unsigned.sha256 };
    });
  }

  /**
   * Stores the signed contract: refused when it is signed already, or when `signedBytes` is not an
   * incremental update of the stored unsigned bytes (it must begin with exactly those bytes).
   */
  async markSigned(id: string, signedBytes: Uint8Array, signedAt: Date = this.clock()): Promise<ContractChangeResult> {
    return this.#exclusive(id, async () => {
      const record = this.get(id);
      if (record === undefined) return { ok: false, reason: 'notFound' };
      if (record.signed !== null) return { ok: false, reason: 'alreadySigned' };
      if (!extends_(signedBytes, record.unsigned)) return { ok: false, reason: 'notAnIncrementalUpdate' };
      const signed = await this.#writeVersion(`${id}.signed.pdf`, signedBytes);
      const next: ContractRecord = { ...record, signedAt: signedAt.toISOString(), signed };
      await this.#commit(next, signed.file);
      return { ok: true, record: next, sha256: signed.sha256 };
    });
  }

  /**
   * Stores a later incremental update of the signed contract (PAdES validation data or a document
   * time-stamp): accepted only when it keeps every byte stored so far.
   */
  async appendUpdate(id: string, bytes: Uint8Array): Promise<ContractChangeResult> {
    return this.#exclusive(id, async () => {
      const record = this.get(id);
      if (record === undefined) return { ok: false, reason: 'notFound' };
      if (record.signed === null) return { ok: false, reason: 'notSigned' };
      if (!extends_(bytes, currentVersion(record))) return { ok: false, reason: 'notAnIncrementalUpdate' };
      const version = await this.#writeVersion(`${id}.signed.${record.updates.length + 1}.pdf`, bytes);
      const next: ContractRecord = { ...record, updates: [...record.updates, version] };
      await this.#commit(next, version.file);
      return { ok: true, record: next, sha256: version.sha256 };
    });
  }

  /**
   * The contract's bytes (the latest version, or the unsigned original), only after their SHA-256
   * matches the record; otherwise `damaged`, and the contract is listed as damaged.
   */
  async read(id: string, which: 'current' | 'unsigned' = 'current'): Promise<ContractReadResult> {
    const record = this.get(id);
    if (record === undefined) return { ok: false, reason: 'notFound' };
    const version = which === 'unsigned' ? record.unsigned : currentVersion(record);
    let bytes: Uint8Array | null = null;
    try {
      bytes = new Uint8Array(await readFile(join(this.#dir, version.file)));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const actual = bytes === null ? null : sha256(bytes);
    if (bytes === null || actual !== version.sha256) {
      this.#damaged.add(id);
      return { ok: false, reason: 'damaged', record, file: version.file, expectedSha256: version.sha256, actualSha256: actual };
    }
    if (which === 'current') this.#damaged.delete(id);
    const kind = version === record.unsigned ? 'unsigned' : version === record.signed ? 'signed' : 'updated';
    return { ok: true, record, bytes, sha256: actual, version: kind };
  }

  /** Hashes every stored version of every contract; returns the ids whose bytes do not match (now listed as damaged). */
  async checkAll(): Promise<{ readonly checked: number; readonly damaged: readonly string[] }> {
    const damaged: string[] = [];
    let checked = 0;
    for (const record of [...this.access.storage().records.values<ContractRecord>(CONTRACTS)]) {
      checked += 1;
      for (const version of [record.unsigned, ...(record.signed === null ? [] : [record.signed]), ...record.updates]) {
        let actual: string | null = null;
        try {
          actual = sha256(await readFile(join(this.#dir, version.file)));
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        }
        if (actual !== version.sha256) {
          damaged.push(record.id);
          break;
        }
      }
      if (damaged.at(-1) === record.id) this.#damaged.add(record.id);
      else this.#damaged.delete(record.id);
    }
    return { checked, damaged };
  }

  async #exclusive(id: string, work: () => Promise<ContractChangeResult>): Promise<ContractChangeResult> {
    if (this.#busy.has(id)) return { ok: false, reason: 'busy' };
    this.#busy.add(id);
    try {
      return await work();
    } finally {
      this.#busy.delete(id);
    }
  }

  async #writeVersion(file: string, bytes: Uint8Array): Promise<ContractVersion> {
    await mkdir(this.#dir, { recursive: true, mode: PRIVATE_DIR_MODE });
    // A file of this name without a record is what a stop between write and commit left: replaced.
    await writeFileDurably(join(this.#dir, file), Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    return { file, sha256: sha256(bytes), byteLength: bytes.byteLength, storedAt: this.clock().toISOString() };
  }

  /** Commits the record; if it cannot be, the file just written goes too, so nothing is half stored. */
  async #commit(record: ContractRecord, file: string): Promise<void> {
    try {
      await this.access.storage().records.commit([{ collection: CONTRACTS, id: record.id, record }]);
    } catch (error) {
      await rm(join(this.#dir, file), { force: true }).catch(() => undefined);
      throw error;
    }
  }
}

/** Whether `bytes` begins with exactly the bytes of `version` and adds something after them. */
function extends_(bytes: Uint8Array, version: ContractVersion): boolean {
  if (bytes.byteLength <= version.byteLength || !isPdf(bytes)) return false;
  return sha256(bytes.subarray(0, version.byteLength)) === version.sha256;
}
