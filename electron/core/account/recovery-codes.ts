/**
 * The holder's Emergency Recovery Code (issue 15 §1): one per holder, made at card issuance and on
 * request (`holder erc-reset`, the desk's "Issue a new recovery code", the lost-info flow), printed
 * in its own letter (the outbox, then the printer or the drop folder: never a screen, never email)
 * and kept only as a slow salted hash (scrypt, a fresh salt per code, at most two derivations at a
 * time in the process). Each code works once: using it issues a new one. Wrong codes are counted
 * per holder in the vault (5 in 24 hours, surviving restarts); the kiosk adds its own per-window limit.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { CardDeskError } from '../../shared/errors';
import type { Holder } from '../../shared/schemas/holders';
import type { LetterOutbox } from '../letters/outbox';
import { recoveryCodeLetter } from '../letters/pin-letters';
import { holderName, recipientOf } from '../letters/recipients';
import type { OperationContext } from '../operation-context';
import type { ChangeRecorder } from '../vault/change-events';
import type { RecordChange } from '../vault/record-store';
import type { VaultAccess } from '../vault/vault-access';
import type { HolderDirectory } from '../directory/holder-directory';
import type { NotificationChannel, NotificationQueue } from './account-ports';
import { maskAddress } from './one-time-codes';
import { newRecoveryCode, parseRecoveryCode } from './recovery-code-format';

export const RECOVERY_CODES = 'recoveryCodes';
export const RECOVERY_ATTEMPTS = 'recoveryCodeAttempts';
/** Wrong recovery codes a holder may type within `RECOVERY_WINDOW_MS`. */
export const RECOVERY_HOLDER_LIMIT = 5;
export const RECOVERY_WINDOW_MS = 24 * 3_600_000;

/** scrypt at 2^14 × 8: 16 MiB and about 50–150 ms per try; the code's 115 bits of entropy do the rest. */
export const RECOVERY_KDF = { N: 2 ** 14, r: 8, p: 1, keyLength: 32 } as const;
const MAX_CONCURRENT = 2;

export type RecoveryIssueReason = 'issuance' | 'request' | 'used' | 'lostInfo';

export interface RecoveryCodeRecord {
  /** The holder's id: one code per holder. */
  readonly id: string;
  readonly salt: string;
  readonly hash: string;
  readonly N: number;
  readonly r: number;
  readonly p: number;
  readonly issuedAt: string;
  readonly reason: RecoveryIssueReason;
  /** The letter carrying it (a file name in the outbox). */
  readonly letter: string | null;
  /** When the previous code was used (the one this replaced), if it was. */
  readonly previousUsedAt: string | null;
}

interface AttemptsRecord {
  readonly id: string;
  /** When wrong codes were typed (ms since the epoch), the last 24 hours only. */
  readonly failures: readonly number[];
}

export interface RecoveryCodeStatus {
  readonly exists: boolean;
  readonly issuedAt: string | null;
  readonly reason: RecoveryIssueReason | null;
  readonly lastUsedAt: string | null;
  readonly letter: string | null;
  readonly letterState: 'waiting' | 'sent' | 'withdrawn' | null;
  /** Wrong codes typed in the last 24 hours. */
  readonly recentFailures: number;
}

export type RecoveryCheck = 'ok' | 'malformed' | 'check' | 'wrong' | 'none' | 'tooManyAttempts';

/** Where a message about the holder's account goes: their email, else their mobile (verified or not: it carries no secret). */
export function recoveryAddress(holder: Pick<Holder, 'email' | 'mobile'>): { channel: NotificationChannel; to: string } | null {
  if (holder.email.trim() !== '') return { channel: 'email', to: holder.email.trim() };
  if (holder.mobile.trim() !== '') return { channel: 'sms', to: holder.mobile.trim() };
  return null;
}

/** Where a one-time code may go: only a verified email, else a verified mobile (issue 15 §1, §3); none otherwise. */
export function verifiedAddress(holder: Pick<Holder, 'email' | 'mobile' | 'emailVerified' | 'mobileVerified'>): { channel: NotificationChannel; to: string } | null {
  if (holder.emailVerified && holder.email.trim() !== '') return { channel: 'email', to: holder.email.trim() };
  if (holder.mobileVerified && holder.mobile.trim() !== '') return { channel: 'sms', to: holder.mobile.trim() };
  return null;
}

export interface RecoveryCodeDeps {
  readonly access: Pick<VaultAccess, 'storage'>;
  readonly recorder: Pick<ChangeRecorder, 'commit'>;
  /** The notification outbox; null where none is wired (then no 'recoveryCodeIssued' message). */
  readonly queue: NotificationQueue | null;
  readonly outbox: Pick<LetterOutbox, 'write' | 'withdraw' | 'record'>;
  readonly directory: Pick<HolderDirectory, 'get' | 'cardsOf'>;
  /** The letters' sender line (the issuance policy's). */
  readonly letterSender: () => string;
  readonly now?: () => number;
}

/** Runs scrypt for recovery codes, at most two at a time. */
class Derivations {
  #running = 0;
  readonly #waiting: (() => void)[] = [];

  async derive(secret: Buffer, salt: Buffer, params: { N: number; r: number; p: number }): Promise<Buffer> {
    if (this.#running >= MAX_CONCURRENT) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#running += 1;
    try {
      return await new Promise<Buffer>((resolve, reject) =>
        scrypt(secret, salt, RECOVERY_KDF.keyLength, { ...params, maxmem: 256 * params.N * params.r + 1024 * 1024 }, (error, key) => (error === null ? resolve(key) : reject(error))),
      );
    } finally {
      this.#running -= 1;
      this.#waiting.shift()?.();
    }
  }
}

export class RecoveryCodes {
  readonly #deps: RecoveryCodeDeps;
  readonly #now: () => number;
  readonly #kdf = new Derivations();

  constructor(deps: RecoveryCodeDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? (() => Date.now());
  }

  #records() {
    return this.#deps.access.storage().records;
  }

  record(holderId: string): RecoveryCodeRecord | undefined {
    return this.#records().get<RecoveryCodeRecord>(RECOVERY_CODES, holderId);
  }

  #recentFailures(holderId: string): number[] {
    const now = this.#now();
    return (this.#records().get<AttemptsRecord>(RECOVERY_ATTEMPTS, holderId)?.failures ?? []).filter((at) => now - at < RECOVERY_WINDOW_MS && at <= now);
  }

  status(holderId: string): RecoveryCodeStatus {
    this.#deps.directory.get(holderId);
    const record = this.record(holderId);
    const letter = record?.letter ?? null;
    return {
      exists: record !== undefined,
      issuedAt: record?.issuedAt ?? null,
      reason: record?.reason ?? null,
      lastUsedAt: record?.previousUsedAt ?? null,
      letter,
      letterState: letter === null ? null : (this.#deps.outbox.record(letter)?.state ?? null),
      recentFailures: this.#recentFailures(holderId).length,
    };
  }

  /**
   * Makes a new recovery code for the holder (the previous one stops working), writes its letter
   * to the outbox (a still-waiting letter of the previous code is withdrawn) and, in one commit
   * with the code's record and its audit event, queues the 'recoveryCodeIssued' notification
   * (without the code). The code exists in clear only in this call and in the letter's PDF.
   */
  async issueRecoveryCode(holderId: string, context: OperationContext, reason: RecoveryIssueReason = 'request', usedAt: string | null = null): Promise<{ letter: string; issuedAt: string }> {
    const holder = this.#deps.directory.get(holderId);
    const previous = this.record(holderId);
    const code = Buffer.from(newRecoveryCode(), 'latin1');
    const salt = randomBytes(16);
    const now = new Date(this.#now());
    let fileName: string;
    let hash: Buffer;
    try {
      hash = await this.#kdf.derive(code, salt, RECOVERY_KDF);
      const pdf = await recoveryCodeLetter({
        language: holder.language,
        sender: { organisation: this.#deps.letterSender(), addressLines: [] },
        recipient: recipientOf(holder, 'holder', holder.language),
        holderName: holderName(holder),
        date: now,
        code,
      });
      const card = this.#deps.directory.cardsOf(holderId).find((c) => c.state === 'active' || c.state === 'awaitingActivation' || c.state === 'suspended') ?? null;
      const stem = `${now.toISOString().slice(0, 10)}-${holder.userNumber}-${salt.toString('hex').slice(0, 8)}`;
      fileName = await this.#deps.outbox.write(`${stem}-recovery-code.pdf`, pdf, { kind: 'recoveryCode', recipient: 'holder', holderId, cardSerial: card?.serial ?? '' });
    } finally {
      code.fill(0);
    }
    if (previous?.letter !== undefined && previous.letter !== null && this.#deps.outbox.record(previous.letter)?.state === 'waiting') await this.#deps.outbox.withdraw([previous.letter]);
    const record: RecoveryCodeRecord = {
      id: holderId,
      salt: salt.toString('base64'),
      hash: hash.toString('base64'),
      N: RECOVERY_KDF.N,
      r: RECOVERY_KDF.r,
      p: RECOVERY_KDF.p,
      issuedAt: now.toISOString(),
      reason,
      letter: fileName,
      previousUsedAt: usedAt ?? previous?.previousUsedAt ?? null,
    };
    const changes: RecordChange[] = [{ collection: RECOVERY_CODES, id: holderId, record }];
    const { queue } = this.#deps;
    const address = queue === null ? null : recoveryAddress(holder);
    if (queue !== null && address !== null) {
      changes.push(
        queue.queued({ kind: 'recoveryCodeIssued', holderId, channel: address.channel, to: address.to, language: holder.language, params: { date: now.toISOString().slice(0, 10) } }),
      );
    }
    await this.#deps.recorder.commit(changes, {
      action: 'account.recoveryCodeIssue',
      outcome: 'success',
      reason,
      actor: context.actor,
      channel: context.channel,
      holderId,
      details: { letter: fileName, replaced: previous !== undefined, ...(address === null ? { notified: false } : { notified: maskAddress(address.channel, address.to) }) },
    });
    if (address !== null) queue?.wake();
    return { letter: fileName, issuedAt: record.issuedAt };
  }

  /**
   * Checks a typed recovery code for the holder. The format and the check character first
   * (nothing is looked up for a mistyped code); then the holder's limit (5 wrong in 24 h, kept
   * in the vault); then the slow hash, compared in constant time. A wrong code is counted.
   */
  async verify(holderId: string, typed: string, context: OperationContext): Promise<RecoveryCheck> {
    const audit = async (result: RecoveryCheck, changes: RecordChange[] = []): Promise<RecoveryCheck> => {
      await this.#deps.recorder.commit(changes, {
        action: 'account.recoveryCodeCheck',
        outcome: result === 'ok' ? 'success' : 'failure',
        ...(result === 'ok' ? {} : { reason: result }),
        actor: context.actor,
        channel: context.channel,
        holderId,
      });
      return result;
    };
    const parsed = parseRecoveryCode(typed);
    if (!parsed.ok) return audit(parsed.problem);
    if (this.#recentFailures(holderId).length >= RECOVERY_HOLDER_LIMIT) return audit('tooManyAttempts');
    const record = this.record(holderId);
    const code = Buffer.from(parsed.code, 'latin1');
    let right = false;
    try {
      if (record !== undefined) {
        const actual = await this.#kdf.derive(code, Buffer.from(record.salt, 'base64'), record);
        const expected = Buffer.from(record.hash, 'base64');
        right = actual.length === expected.length && timingSafeEqual(actual, expected);
      }
    } finally {
      code.fill(0);
    }
    if (right) return audit('ok');
    // Re-read after the slow hash: another try may have counted meanwhile.
    const attempts: AttemptsRecord = { id: holderId, failures: [...this.#recentFailures(holderId), this.#now()] };
    return audit(record === undefined ? 'none' : 'wrong', [{ collection: RECOVERY_ATTEMPTS, id: holderId, record: attempts }]);
  }

  /** The holder's code was used (its unblock done): a new one is issued, and the count of wrong codes cleared. */
  async used(holderId: string, context: OperationContext): Promise<{ letter: string; issuedAt: string }> {
    if (this.record(holderId) === undefined) throw new CardDeskError('NOT_FOUND', 'The holder has no recovery code.');
    const usedAt = new Date(this.#now()).toISOString();
    const issued = await this.issueRecoveryCode(holderId, context, 'used', usedAt);
    if (this.#records().get<AttemptsRecord>(RECOVERY_ATTEMPTS, holderId) !== undefined) await this.#records().commit([{ collection: RECOVERY_ATTEMPTS, id: holderId, record: null }]);
    return issued;
  }
}
