/**
 * One-time codes (issue 15 §3): six digits from crypto.randomInt, sent through the notification
 * outbox in the same commit as the code's record, kept only as a salted HMAC-SHA256 (a fresh salt
 * per code), good for 10 minutes, one use and at most 5 tries (every check counts, right or
 * wrong), compared with timingSafeEqual. The code itself is never logged and never in an audit
 * event; the only place it exists after `send` returns is the sealed outbox message.
 */
import { createHmac, randomBytes, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import type { OperationContext } from '../operation-context';
import type { ChangeRecorder } from '../vault/change-events';
import type { RecordChange } from '../vault/record-store';
import type { VaultAccess } from '../vault/vault-access';
import type { NotificationChannel, NotificationQueue, OneTimeCodeCheck, OneTimeCodePurpose, OneTimeCodes, HolderLanguage } from './account-ports';

export const ONE_TIME_CODES = 'oneTimeCodes';
export const ONE_TIME_CODE_LIFE_MS = 10 * 60_000;
export const ONE_TIME_CODE_TRIES = 5;
const DIGITS = 6;

export interface OneTimeCodeRecord {
  readonly id: string;
  readonly holderId: string;
  readonly purpose: OneTimeCodePurpose;
  readonly channel: NotificationChannel;
  /** Per-code random salt (the HMAC key), base64. */
  readonly salt: string;
  /** HMAC-SHA256(salt, code), base64. */
  readonly hash: string;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly tries: number;
  readonly usedAt: string | null;
}

export interface OneTimeCodeDeps {
  readonly access: Pick<VaultAccess, 'storage'>;
  readonly recorder: Pick<ChangeRecorder, 'commit'>;
  readonly queue: NotificationQueue;
  /** Milliseconds since the epoch (tests move it). */
  readonly now?: () => number;
}

function digest(salt: Buffer, code: string): Buffer {
  return createHmac('sha256', salt).update(code, 'utf8').digest();
}

/** Keeps only digits; what is left of a typed code. */
function typed(code: string): string {
  return code.replace(/[\s-]/g, '');
}

/** A masked address for audit details: the first character and the domain of an email, the last two digits of a number. */
export function maskAddress(channel: NotificationChannel, to: string): string {
  if (channel === 'email') {
    const at = to.lastIndexOf('@');
    return at <= 0 ? '***' : `${to.slice(0, 1)}***${to.slice(at)}`;
  }
  return to.length <= 2 ? '***' : `***${to.slice(-2)}`;
}

export class VaultOneTimeCodes implements OneTimeCodes {
  readonly #deps: OneTimeCodeDeps;
  readonly #now: () => number;

  constructor(deps: OneTimeCodeDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? (() => Date.now());
  }

  #records() {
    return this.#deps.access.storage().records;
  }

  get(codeId: string): OneTimeCodeRecord | undefined {
    return this.#records().get<OneTimeCodeRecord>(ONE_TIME_CODES, codeId);
  }

  async send(
    request: { holderId: string; purpose: OneTimeCodePurpose; channel: NotificationChannel; to: string; language: HolderLanguage },
    context: OperationContext,
  ): Promise<{ codeId: string; expiresAt: string }> {
    const now = this.#now();
    const code = randomInt(0, 10 ** DIGITS)
      .toString()
      .padStart(DIGITS, '0');
    const salt = randomBytes(16);
    const id = randomUUID();
    const expiresAt = new Date(now + ONE_TIME_CODE_LIFE_MS).toISOString();
    const record: OneTimeCodeRecord = {
      id,
      holderId: request.holderId,
      purpose: request.purpose,
      channel: request.channel,
      salt: salt.toString('base64'),
      hash: digest(salt, code).toString('base64'),
      createdAt: new Date(now).toISOString(),
      expiresAt,
      tries: 0,
      usedAt: null,
    };
    // The holder's spent or expired codes go with this commit, so the collection stays small.
    const stale: RecordChange[] = [...this.#records().values<OneTimeCodeRecord>(ONE_TIME_CODES)]
      .filter((other) => other.holderId === request.holderId && (other.usedAt !== null || Date.parse(other.expiresAt) <= now || other.tries >= ONE_TIME_CODE_TRIES))
      .map((other) => ({ collection: ONE_TIME_CODES, id: other.id, record: null }));
    const message = this.#deps.queue.queued({
      kind: 'oneTimeCode',
      holderId: request.holderId,
      channel: request.channel,
      to: request.to,
      language: request.language,
      params: { code, minutes: String(ONE_TIME_CODE_LIFE_MS / 60_000) },
    });
    await this.#deps.recorder.commit([...stale, { collection: ONE_TIME_CODES, id, record }, message], {
      action: 'account.oneTimeCodeSend',
      outcome: 'success',
      actor: context.actor,
      channel: context.channel,
      holderId: request.holderId,
      details: { purpose: request.purpose, via: request.channel, to: maskAddress(request.channel, request.to), codeId: id },
    });
    this.#deps.queue.wake();
    return { codeId: id, expiresAt };
  }

  async check(codeId: string, expected: { holderId: string; purpose: OneTimeCodePurpose }, code: string, context: OperationContext): Promise<OneTimeCodeCheck> {
    const now = this.#now();
    const record = this.get(codeId);
    const event = (result: OneTimeCodeCheck, tries?: number) => ({
      action: 'account.oneTimeCodeCheck' as const,
      outcome: result === 'ok' ? ('success' as const) : ('failure' as const),
      ...(result === 'ok' ? {} : { reason: result }),
      actor: context.actor,
      channel: context.channel,
      holderId: expected.holderId,
      details: { purpose: expected.purpose, codeId, ...(tries === undefined ? {} : { tries }) },
    });
    if (record === undefined || record.holderId !== expected.holderId || record.purpose !== expected.purpose) {
      await this.#deps.recorder.commit([], event('unknown'));
      return 'unknown';
    }
    if (record.usedAt !== null) {
      await this.#deps.recorder.commit([], event('used'));
      return 'used';
    }
    if (now >= Date.parse(record.expiresAt)) {
      await this.#deps.recorder.commit([], event('expired'));
      return 'expired';
    }
    if (record.tries >= ONE_TIME_CODE_TRIES) {
      await this.#deps.recorder.commit([], event('exhausted'));
      return 'exhausted';
    }
    // Read, decide and hand the change to the recorder with no await in between: the record is
    // updated in memory at once, so two checks of the same code cannot both pass.
    const given = typed(code);
    const expectedHash = Buffer.from(record.hash, 'base64');
    const actual = digest(Buffer.from(record.salt, 'base64'), given);
    const right = /^\d{6}$/.test(given) && actual.length === expectedHash.length && timingSafeEqual(actual, expectedHash);
    const tries = record.tries + 1;
    const result: OneTimeCodeCheck = right ? 'ok' : 'wrong';
    const next: OneTimeCodeRecord = { ...record, tries, usedAt: right ? new Date(now).toISOString() : null };
    await this.#deps.recorder.commit([{ collection: ONE_TIME_CODES, id: codeId, record: next }], event(result, tries));
    return result;
  }
}
