/**
 * The holder's second factor (issue 15 §4, §5): an authenticator app (TOTP, RFC 6238, through the
 * `otpauth` package) or a hardware OATH token whose seed came in a PSKC file.
 *
 * Records (vault):
 * - `secondFactors`, one per holder: the method (app or token), pending or enrolled, the app's
 *   secret sealed under a purpose bound to the holder (`totp-secret:<holderId>`), the token's
 *   serial, the wrong codes in a row and the lock they cause.
 * - `otpTokens`, one per token serial: its parameters, its seed sealed (`otp-token:<serial>`),
 *   the holder it is assigned to.
 * The last time step a credential accepted is kept on the record that holds its secret and
 * committed with the check's audit event: a code is taken once (its step and every earlier one
 * are refused afterwards), across restarts, and a token reassigned keeps its history.
 *
 * A check reads the record, computes and commits without awaiting in between, so two calls with
 * the same code cannot both pass. Five wrong codes in a row lock the factor for five minutes.
 * Secrets and codes are never in an audit event or a log; the secret leaves this service once,
 * in `begin`'s answer for the enrolment dialog.
 */
import { randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import QRCode from 'qrcode';
import { CardDeskError } from '../../shared/errors';
import type { AuditAction } from '../../shared/schemas/audit';
import type {
  OtpImportReport,
  OtpToken,
  SecondFactorRefusal,
  SecondFactorResult,
  SecondFactorStatus,
  TotpEnrolment,
} from '../../shared/schemas/account-second-factor';
import type { AuditTrail } from '../audit/audit-trail';
import type { HolderDirectory } from '../directory/holder-directory';
import type { OperationContext } from '../operation-context';
import { ChangeRecorder } from '../vault/change-events';
import type { VaultKeyring } from '../vault/keyring';
import type { RecordChange } from '../vault/record-store';
import type { Sealed } from '../vault/sealing';
import type { VaultAccess } from '../vault/vault-access';
import type { SecondFactor } from './account-ports';
import { PskcFileError, readPskc, type OtpAlgorithm, type PskcEntry } from './pskc';

export const SECOND_FACTORS = 'secondFactors';
export const OTP_TOKENS = 'otpTokens';

const APP_DIGITS = 6;
const APP_PERIOD = 30;
const APP_ALGORITHM: OtpAlgorithm = 'SHA1';
/** 160 bits, as RFC 4226 recommends for HMAC-SHA1. */
const APP_SECRET_BYTES = 20;

export interface SecondFactorRecord {
  /** The holder's id. */
  readonly id: string;
  readonly method: 'app' | 'token';
  readonly state: 'pending' | 'enrolled';
  /** The app's secret (method app). */
  readonly secret: Sealed | null;
  readonly tokenSerial: string | null;
  readonly algorithm: OtpAlgorithm;
  readonly digits: number;
  readonly period: number;
  /** The last step the app's secret accepted (method app; a token keeps its own). */
  readonly lastStep: number | null;
  readonly failures: number;
  /** Epoch ms until which codes are refused unread, or null. */
  readonly lockedUntil: number | null;
  readonly createdAt: string;
  readonly enrolledAt: string | null;
}

export interface OtpTokenRecord {
  /** The token's serial (DeviceInfo/SerialNo). */
  readonly id: string;
  readonly manufacturer: string | null;
  readonly algorithm: OtpAlgorithm;
  readonly digits: number;
  readonly period: number;
  /** T0 in Unix seconds. */
  readonly t0: number;
  readonly secret: Sealed;
  readonly holderId: string | null;
  readonly lastStep: number | null;
  readonly importedAt: string;
}

/** The parameters a code is computed with. */
export interface OtpParameters {
  readonly algorithm: OtpAlgorithm;
  readonly digits: number;
  readonly period: number;
  readonly t0?: number;
}

/**
 * The time step `code` belongs to within ±`window` steps of `nowMs`, or null. Exported for the
 * RFC 6238 vectors; the service adds the replay and lock rules.
 */
export function matchingStep(secret: Buffer, parameters: OtpParameters, code: string, nowMs: number, window = 1): number | null {
  if (!new RegExp(`^\\d{${parameters.digits}}$`).test(code)) return null;
  const copy = new Uint8Array(secret);
  try {
    const totp = new TOTP({ secret: new Secret({ buffer: copy.buffer }), algorithm: parameters.algorithm, digits: parameters.digits, period: parameters.period });
    const timestamp = nowMs - (parameters.t0 ?? 0) * 1000;
    const delta = totp.validate({ token: code, timestamp, window });
    return delta === null ? null : TOTP.counter({ period: parameters.period, timestamp }) + delta;
  } finally {
    copy.fill(0);
  }
}

export interface SecondFactorDeps {
  readonly access: VaultAccess;
  readonly keyring: VaultKeyring;
  readonly audit: AuditTrail;
  readonly directory: Pick<HolderDirectory, 'get'>;
  /** The issuer named in the authenticator app (default CardDesk). */
  readonly issuer?: () => string;
  /** Milliseconds since the epoch (tests move it). */
  readonly now?: () => number;
  /** Wrong codes in a row before a lock, and how long it lasts. */
  readonly lockout?: { readonly failures: number; readonly lockMs: number };
}

type CheckOutcome = { ok: true; step: number } | { ok: false; reason: SecondFactorRefusal };

export class SecondFactorService implements SecondFactor {
  readonly #deps: SecondFactorDeps;
  readonly #recorder: ChangeRecorder;
  readonly #now: () => number;

  constructor(deps: SecondFactorDeps) {
    this.#deps = deps;
    this.#recorder = new ChangeRecorder(deps.access, deps.audit);
    this.#now = deps.now ?? (() => Date.now());
  }

  #records() {
    return this.#deps.access.storage().records;
  }

  #factor(holderId: string): SecondFactorRecord | undefined {
    return this.#records().get<SecondFactorRecord>(SECOND_FACTORS, holderId);
  }

  #token(serial: string): OtpTokenRecord | undefined {
    return this.#records().get<OtpTokenRecord>(OTP_TOKENS, serial);
  }

  #iso(ms: number): string {
    return new Date(ms).toISOString();
  }

  // ---- status ----------------------------------------------------------------------------------

  status(holderId: string): SecondFactorStatus {
    const record = this.#factor(holderId);
    if (record === undefined) return { method: 'none', state: 'none', tokenSerial: null, enrolledAt: null, lockedUntil: null };
    const locked = record.lockedUntil !== null && record.lockedUntil > this.#now() ? this.#iso(record.lockedUntil) : null;
    return { method: record.method, state: record.state, tokenSerial: record.tokenSerial, enrolledAt: record.enrolledAt, lockedUntil: locked };
  }

  enrolled(holderId: string): boolean {
    return this.#factor(holderId)?.state === 'enrolled';
  }

  // ---- codes -----------------------------------------------------------------------------------

  async verify(holderId: string, code: string, context: OperationContext): Promise<boolean> {
    return (await this.check(holderId, code, context)).ok;
  }

  /** Checks a code of the holder's enrolled factor; the answer says why one was refused. */
  async check(holderId: string, code: string, context: OperationContext): Promise<SecondFactorResult> {
    const record = this.#factor(holderId);
    if (record?.state !== 'enrolled') {
      await this.#deps.audit.record({ action: 'secondFactor.verify', outcome: 'failure', reason: 'notEnrolled', holderId, ...context });
      return { ok: false, reason: 'notEnrolled', lockedUntil: null };
    }
    return this.#checkAndCommit(record, code, 'secondFactor.verify', context, () => ({}));
  }

  /**
   * The shared path of every code: lock, match, replay, then one commit of the new state with its
   * event (success: the step used; failure: the count and lock). `enrolled` adds what a success
   * changes besides the step (the enrolment's confirmation).
   */
  async #checkAndCommit(
    record: SecondFactorRecord,
    code: string,
    action: AuditAction,
    context: OperationContext,
    onSuccess: () => Partial<SecondFactorRecord>,
  ): Promise<SecondFactorResult> {
    const now = this.#now();
    const holderId = record.id;
    const outcome = this.#match(record, code, now);
    const details = { method: record.method, ...(record.tokenSerial === null ? {} : { tokenSerial: record.tokenSerial }) };
    if (outcome.ok) {
      const changes: RecordChange[] = [];
      const updated: SecondFactorRecord = { ...record, failures: 0, lockedUntil: null, ...(record.method === 'app' ? { lastStep: outcome.step } : {}), ...onSuccess() };
      changes.push({ collection: SECOND_FACTORS, id: holderId, record: updated });
      if (record.method === 'token' && record.tokenSerial !== null) {
        const token = this.#token(record.tokenSerial);
        if (token !== undefined) changes.push(tokenChange({ ...token, lastStep: outcome.step }));
      }
      await this.#recorder.commit(changes, { action, outcome: 'success', holderId, details, ...context });
      return { ok: true, status: this.status(holderId) };
    }
    if (outcome.reason === 'locked') {
      await this.#deps.audit.record({ action, outcome: 'failure', reason: 'locked', holderId, details, ...context });
      return { ok: false, reason: 'locked', lockedUntil: record.lockedUntil === null ? null : this.#iso(record.lockedUntil) };
    }
    const { failures: limit, lockMs } = this.#deps.lockout ?? { failures: 5, lockMs: 5 * 60_000 };
    const failures = record.failures + 1;
    const lockedUntil = failures >= limit ? now + lockMs : null;
    const updated: SecondFactorRecord = { ...record, failures: lockedUntil === null ? failures : 0, lockedUntil };
    await this.#recorder.commit([{ collection: SECOND_FACTORS, id: holderId, record: updated }], {
      action,
      outcome: 'failure',
      reason: outcome.reason,
      holderId,
      details: { ...details, failures, locked: lockedUntil !== null },
      ...context,
    });
    return { ok: false, reason: lockedUntil === null ? outcome.reason : 'locked', lockedUntil: lockedUntil === null ? null : this.#iso(lockedUntil) };
  }

  /** Lock, then the code against the credential's secret, then the replay rule. Synchronous. */
  #match(record: SecondFactorRecord, code: string, now: number): CheckOutcome {
    if (record.lockedUntil !== null && record.lockedUntil > now) return { ok: false, reason: 'locked' };
    let secret: Buffer;
    let parameters: OtpParameters;
    let lastStep: number | null;
    if (record.method === 'app') {
      if (record.secret === null) return { ok: false, reason: 'notEnrolled' };
      secret = this.#deps.keyring.open(record.secret, appPurpose(record.id));
      parameters = record;
      lastStep = record.lastStep;
    } else {
      const token = record.tokenSerial === null ? undefined : this.#token(record.tokenSerial);
      if (token?.holderId !== record.id) return { ok: false, reason: 'notEnrolled' };
      secret = this.#deps.keyring.open(token.secret, tokenPurpose(token.id));
      parameters = token;
      lastStep = token.lastStep;
    }
    try {
      const step = matchingStep(secret, parameters, code, now);
      if (step === null) return { ok: false, reason: 'wrong' };
      if (lastStep !== null && step <= lastStep) return { ok: false, reason: 'replayed' };
      return { ok: true, step };
    } finally {
      secret.fill(0);
    }
  }

  // ---- enrolment of an authenticator app --------------------------------------------------------

  /**
   * Starts (or starts again) the enrolment of an authenticator app: a new random secret, sealed,
   * pending until `confirm`. The answer is the only place the secret appears.
   */
  async begin(holderId: string, context: OperationContext): Promise<TotpEnrolment> {
    const holder = this.#deps.directory.get(holderId);
    const existing = this.#factor(holderId);
    if (existing?.state === 'enrolled') throw new CardDeskError('INVALID_STATE', 'The holder has a second factor already; remove it before enrolling another.');
    const raw = randomBytes(APP_SECRET_BYTES);
    try {
      const sealed = this.#deps.keyring.seal(raw, appPurpose(holderId));
      const issuer = (this.#deps.issuer?.() ?? 'CardDesk').trim() || 'CardDesk';
      const account = holder.userNumber;
      const copy = new Uint8Array(raw);
      const totp = new TOTP({ issuer, label: account, secret: new Secret({ buffer: copy.buffer }), algorithm: APP_ALGORITHM, digits: APP_DIGITS, period: APP_PERIOD });
      const uri = totp.toString();
      const secret = totp.secret.base32;
      copy.fill(0);
      const qr = `data:image/svg+xml;base64,${Buffer.from(await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 })).toString('base64')}`;
      const record: SecondFactorRecord = {
        id: holderId,
        method: 'app',
        state: 'pending',
        secret: sealed,
        tokenSerial: null,
        algorithm: APP_ALGORITHM,
        digits: APP_DIGITS,
        period: APP_PERIOD,
        lastStep: null,
        failures: existing?.failures ?? 0,
        lockedUntil: existing?.lockedUntil ?? null,
        createdAt: this.#iso(this.#now()),
        enrolledAt: null,
      };
      await this.#recorder.commit([{ collection: SECOND_FACTORS, id: holderId, record }], { action: 'secondFactor.enrolBegin', outcome: 'success', holderId, details: { method: 'app' }, ...context });
      return { uri, qr, secret, issuer, account, digits: APP_DIGITS, period: APP_PERIOD };
    } finally {
      raw.fill(0);
    }
  }

  /** Confirms a pending enrolment with one valid code from the app. */
  async confirm(holderId: string, code: string, context: OperationContext): Promise<SecondFactorResult> {
    const record = this.#factor(holderId);
    if (record?.state !== 'pending') {
      await this.#deps.audit.record({ action: 'secondFactor.enrol', outcome: 'failure', reason: 'notPending', holderId, ...context });
      return { ok: false, reason: 'notPending', lockedUntil: null };
    }
    return this.#checkAndCommit(record, code, 'secondFactor.enrol', context, () => ({ state: 'enrolled', enrolledAt: this.#iso(this.#now()) }));
  }

  // ---- removal ---------------------------------------------------------------------------------

  /** The desk removes the holder's factor with a reason (a token is unassigned, kept for reuse). */
  async remove(holderId: string, reason: string, context: OperationContext): Promise<SecondFactorStatus> {
    const record = this.#factor(holderId);
    if (record === undefined) throw new CardDeskError('NOT_FOUND', 'The holder has no second factor.');
    await this.#removeRecord(record, { reason: reason.trim().slice(0, 500) }, context);
    return this.status(holderId);
  }

  /** The holder removes their own factor at the kiosk with a valid code from it. */
  async removeWithCode(holderId: string, code: string, context: OperationContext): Promise<SecondFactorResult> {
    const record = this.#factor(holderId);
    if (record?.state !== 'enrolled') {
      // A pending enrolment (never confirmed) is dropped without a code: it protects nothing yet.
      if (record !== undefined) {
        await this.#removeRecord(record, { reason: 'pending enrolment dropped by the holder' }, context);
        return { ok: true, status: this.status(holderId) };
      }
      return { ok: false, reason: 'notEnrolled', lockedUntil: null };
    }
    const checked = await this.#checkAndCommit(record, code, 'secondFactor.verify', context, () => ({}));
    if (!checked.ok) return checked;
    const current = this.#factor(holderId);
    if (current !== undefined) await this.#removeRecord(current, { reason: 'removed by the holder with a code' }, context);
    return { ok: true, status: this.status(holderId) };
  }

  #removeRecord(record: SecondFactorRecord, details: Record<string, string>, context: OperationContext): Promise<void> {
    const changes: RecordChange[] = [{ collection: SECOND_FACTORS, id: record.id, record: null }];
    if (record.tokenSerial !== null) {
      const token = this.#token(record.tokenSerial);
      if (token?.holderId === record.id) changes.push(tokenChange({ ...token, holderId: null }));
    }
    return this.#recorder.commit(changes, {
      action: 'secondFactor.remove',
      outcome: 'success',
      holderId: record.id,
      details: { method: record.method, state: record.state, ...(record.tokenSerial === null ? {} : { tokenSerial: record.tokenSerial }), ...details },
      ...context,
    });
  }

  // ---- hardware OATH tokens ----------------------------------------------------------------------

  tokens(): OtpToken[] {
    return [...this.#records().values<OtpTokenRecord>(OTP_TOKENS)]
      .map((token) => ({ serial: token.id, manufacturer: token.manufacturer, algorithm: token.algorithm, digits: token.digits, period: token.period, holderId: token.holderId, importedAt: token.importedAt }))
      .sort((a, b) => a.serial.localeCompare(b.serial));
  }

  /**
   * Imports a PSKC file's tokens: every key or none. The report names each key's outcome; a
   * file-wide problem (not PSKC, wrong pre-shared key, tampered MAC key) imports nothing.
   */
  async importTokens(pskc: string, preSharedKey: Buffer | null, context: OperationContext): Promise<OtpImportReport> {
    let entries: PskcEntry[];
    if (preSharedKey !== null && ![16, 24, 32].includes(preSharedKey.length)) {
      await this.#deps.audit.record({ action: 'otpToken.import', outcome: 'failure', reason: 'badKey', ...context });
      return { ok: false, fileProblem: 'badKey', imported: 0, keys: [] };
    }
    try {
      entries = readPskc(pskc, preSharedKey);
    } catch (error) {
      if (!(error instanceof PskcFileError)) throw error;
      await this.#deps.audit.record({ action: 'otpToken.import', outcome: 'failure', reason: error.problem, ...context });
      return { ok: false, fileProblem: error.problem, imported: 0, keys: [] };
    }
    const checked = entries.map((entry) => ({
      serial: entry.serial,
      outcome: entry.ok ? (this.#token(entry.serial) === undefined ? ('imported' as const) : ('duplicate' as const)) : entry.problem,
    }));
    try {
      const ok = checked.every((key) => key.outcome === 'imported');
      if (!ok) {
        const keys = checked.map((key) => (key.outcome === 'imported' ? { ...key, outcome: 'accepted' as const } : key));
        await this.#deps.audit.record({
          action: 'otpToken.import',
          outcome: 'failure',
          reason: 'keysRefused',
          details: { keys: keys.length, refused: keys.filter((key) => key.outcome !== 'imported').length },
          ...context,
        });
        return { ok: false, fileProblem: null, imported: 0, keys };
      }
      const importedAt = this.#iso(this.#now());
      const changes: RecordChange[] = [];
      for (const entry of entries) {
        if (!entry.ok) continue;
        const { key } = entry;
        const record: OtpTokenRecord = {
          id: key.serial,
          manufacturer: key.manufacturer,
          algorithm: key.algorithm,
          digits: key.digits,
          period: key.period,
          t0: key.t0,
          secret: this.#deps.keyring.seal(key.secret, tokenPurpose(key.serial)),
          holderId: null,
          lastStep: null,
          importedAt,
        };
        changes.push({ collection: OTP_TOKENS, id: record.id, record });
      }
      await this.#recorder.commit(changes, {
        action: 'otpToken.import',
        outcome: 'success',
        details: { keys: changes.length, serials: changes.map((change) => change.id).join(' ').slice(0, 400), encrypted: preSharedKey !== null },
        ...context,
      });
      return { ok: true, fileProblem: null, imported: changes.length, keys: checked };
    } finally {
      for (const entry of entries) if (entry.ok) entry.key.secret.fill(0);
    }
  }

  /** Assigns a token to a holder by its serial (`holderId` null: unassigns it). */
  async assignToken(serial: string, holderId: string | null, context: OperationContext): Promise<OtpToken> {
    const token = this.#token(serial);
    if (token === undefined) throw new CardDeskError('NOT_FOUND', `No OATH token with serial ${serial} was imported.`);
    if (holderId === null) {
      if (token.holderId !== null) {
        const record = this.#factor(token.holderId);
        const changes: RecordChange[] = [tokenChange({ ...token, holderId: null })];
        if (record?.tokenSerial === serial) changes.push({ collection: SECOND_FACTORS, id: record.id, record: null });
        await this.#recorder.commit(changes, { action: 'otpToken.unassign', outcome: 'success', holderId: token.holderId, details: { tokenSerial: serial }, ...context });
      }
      return this.#summary(serial);
    }
    this.#deps.directory.get(holderId);
    if (token.holderId !== null && token.holderId !== holderId) throw new CardDeskError('CONFLICT', `Token ${serial} is assigned to another holder; unassign it first.`);
    const existing = this.#factor(holderId);
    if (existing?.state === 'enrolled') {
      if (existing.tokenSerial === serial) return this.#summary(serial);
      throw new CardDeskError('CONFLICT', 'The holder has a second factor already; remove it before assigning a token.');
    }
    const record: SecondFactorRecord = {
      id: holderId,
      method: 'token',
      state: 'enrolled',
      secret: null,
      tokenSerial: serial,
      algorithm: token.algorithm,
      digits: token.digits,
      period: token.period,
      lastStep: null,
      failures: existing?.failures ?? 0,
      lockedUntil: existing?.lockedUntil ?? null,
      createdAt: this.#iso(this.#now()),
      enrolledAt: this.#iso(this.#now()),
    };
    await this.#recorder.commit(
      [
        tokenChange({ ...token, holderId }),
        { collection: SECOND_FACTORS, id: holderId, record },
      ],
      { action: 'otpToken.assign', outcome: 'success', holderId, details: { tokenSerial: serial }, ...context },
    );
    return this.#summary(serial);
  }

  #summary(serial: string): OtpToken {
    const found = this.tokens().find((token) => token.serial === serial);
    if (found === undefined) throw new CardDeskError('NOT_FOUND', `No OATH token with serial ${serial} was imported.`);
    return found;
  }
}

const appPurpose = (holderId: string): string => `totp-secret:${holderId}`;
const tokenPurpose = (serial: string): string => `otp-token:${serial}`;

function tokenChange(record: OtpTokenRecord): RecordChange {
  return { collection: OTP_TOKENS, id: record.id, record };
}
