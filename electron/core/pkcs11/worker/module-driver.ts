/**
 * One PKCS#11 library inside one worker thread: loading and C_Initialize, slots and tokens,
 * login, and handing object and key operations to their files with a session. Every call
 * here blocks this worker's thread, never the main one.
 */
import { existsSync } from 'node:fs';
import type { PKCS11, TokenInfo as RawTokenInfo } from 'pkcs11js';
import { CardDeskError } from '../../../shared/errors';
import { CKF, CKR, CKU, ckrName } from '../ck';
import { decryptRefusalOf, isAlreadyLoggedIn, type LoginRefusal, keyGenerationRefusalOf, keyUseRefusalOf, loginRefusalOf, objectWriteRefusalOf, tokenFailureOf } from '../ckr-outcomes';
import type { ParsedRequestOf, WorkerResultOf } from '../protocol';
import type { TokenFailureReason } from '../schemas/common';
import type { SlotSummary, TokenInfo, UserType } from '../schemas/token';
import { slotHandleOf, slotIdOf } from '../slot-id';
import { decodeSlotFlags, decodeTokenFlags, padded, pinLengthLimit, versionText } from '../token-flags';
import { attempt, ckrOf, Pkcs11CallError } from './call-error';
import { decrypt, generateKeyPair, sign } from './key-operations';
import { findKey, getPublicKey, listObjects, writeCertificate } from './objects';
import { type SlotSession, SlotSessions } from './sessions';

/** The part of the `pkcs11js` module the driver needs: its class. */
export interface Pkcs11Library {
  readonly PKCS11: new () => PKCS11;
}

interface Loaded {
  readonly p11: PKCS11;
  readonly sessions: SlotSessions;
}

function tokenInfoOf(raw: RawTokenInfo): TokenInfo {
  return {
    label: padded(raw.label),
    manufacturer: padded(raw.manufacturerID),
    model: padded(raw.model),
    serialNumber: padded(raw.serialNumber),
    flags: decodeTokenFlags(raw.flags),
    pinLength: { min: pinLengthLimit(raw.minPinLen), max: pinLengthLimit(raw.maxPinLen) },
    hardwareVersion: versionText(raw.hardwareVersion),
    firmwareVersion: versionText(raw.firmwareVersion),
  };
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export class ModuleDriver {
  readonly #library: Pkcs11Library;
  #loaded: Loaded | null = null;

  constructor(library: Pkcs11Library) {
    this.#library = library;
  }

  get #module(): Loaded {
    if (this.#loaded === null) throw new CardDeskError('PKCS11_MODULE_UNAVAILABLE', 'The PKCS#11 module is not loaded in this worker.');
    return this.#loaded;
  }

  init(modulePath: string): WorkerResultOf<'init'> {
    if (this.#loaded === null) {
      if (!existsSync(modulePath)) return { ok: false, problem: 'fileMissing', message: `There is no file at ${modulePath}.` };
      const p11 = new this.#library.PKCS11();
      try {
        p11.load(modulePath);
      } catch (error) {
        // dlopen's own words name the cause (wrong architecture, a missing dependency, not ELF).
        const detail = error instanceof Error ? error.message : String(error);
        const notPkcs11 = detail.includes('C_GetFunctionList') || ckrOf(error) !== null;
        return notPkcs11
          ? { ok: false, problem: 'notPkcs11Library', message: `${modulePath} is not a PKCS#11 library (${detail}).` }
          : { ok: false, problem: 'loadFailed', message: `${modulePath} could not be loaded: ${detail}` };
      }
      const initialized = this.#initialize(p11);
      if (initialized !== null) {
        p11.close();
        return { ok: false, problem: 'initializeFailed', message: `C_Initialize of ${modulePath} failed with ${ckrName(initialized)}.` };
      }
      this.#loaded = { p11, sessions: new SlotSessions(p11) };
    }
    const info = this.#module.p11.C_GetInfo();
    return {
      ok: true,
      info: {
        manufacturer: padded(info.manufacturerID),
        description: padded(info.libraryDescription),
        libraryVersion: versionText(info.libraryVersion),
        cryptokiVersion: versionText(info.cryptokiVersion),
      },
    };
  }

  /**
   * C_Initialize (v2.40 §5.4) with CKF_OS_LOCKING_OK: a worker that timed out may still be
   * inside the library when a fresh one starts, so the library must lock. A library that
   * cannot (CKR_CANT_LOCK) is initialised without threading arguments.
   *
   * When a worker died without C_Finalize and the library stayed loaded, it is still
   * initialised (it is process-wide): CKR_CRYPTOKI_ALREADY_INITIALIZED. The new worker adopts
   * it, and logs every token out, so nothing signs on a login made before the crash. The old
   * sessions are left alone (their thread may still be in a call); C_Finalize ends them.
   * Returns null, or the CK_RV that failed.
   */
  #initialize(p11: PKCS11): number | null {
    let result = attempt(() => p11.C_Initialize({ flags: CKF.OS_LOCKING_OK }));
    if (!result.ok && result.rv === CKR.CANT_LOCK) result = attempt(() => p11.C_Initialize());
    if (result.ok) return null;
    if (result.rv !== CKR.CRYPTOKI_ALREADY_INITIALIZED) return result.rv;
    const slots = attempt(() => p11.C_GetSlotList(true));
    for (const slot of slots.ok ? slots.value : []) {
      const session = attempt(() => p11.C_OpenSession(slot, CKF.SERIAL_SESSION));
      if (!session.ok) continue;
      attempt(() => p11.C_Logout(session.value));
      attempt(() => p11.C_CloseSession(session.value));
    }
    return null;
  }

  close(): WorkerResultOf<'close'> {
    const loaded = this.#loaded;
    this.#loaded = null;
    if (loaded === null) return { finalized: false };
    loaded.sessions.closeAll();
    const finalized = attempt(() => loaded.p11.C_Finalize()).ok;
    loaded.p11.close();
    return { finalized };
  }

  listSlots(tokenPresent: boolean): SlotSummary[] {
    const { p11, sessions } = this.#module;
    const summaries: SlotSummary[] = [];
    for (const handle of p11.C_GetSlotList(tokenPresent)) {
      const slotId = slotIdOf(handle);
      const info = attempt(() => p11.C_GetSlotInfo(handle));
      // A reader unplugged between the list and this call.
      if (!info.ok && info.rv === CKR.SLOT_ID_INVALID) continue;
      if (!info.ok) throw new Pkcs11CallError('C_GetSlotInfo', info.rv);
      const flags = decodeSlotFlags(info.value.flags);
      let token: SlotSummary['token'] = { state: 'absent' };
      if (flags.tokenPresent) {
        const read = attempt(() => p11.C_GetTokenInfo(handle));
        if (read.ok) token = { state: 'present', info: tokenInfoOf(read.value) };
        else if (read.rv === CKR.TOKEN_NOT_RECOGNIZED) token = { state: 'unrecognized' };
        else if (read.rv !== CKR.TOKEN_NOT_PRESENT && read.rv !== CKR.DEVICE_REMOVED) throw new Pkcs11CallError('C_GetTokenInfo', read.rv);
      }
      if (token.state !== 'present') sessions.forget(slotId);
      summaries.push({ slotId, description: padded(info.value.slotDescription), manufacturer: padded(info.value.manufacturerID), flags, token });
    }
    return summaries;
  }

  tokenInfo(slotId: number): WorkerResultOf<'tokenInfo'> {
    const read = attempt(() => this.#module.p11.C_GetTokenInfo(slotHandleOf(slotId)));
    if (read.ok) return { ok: true, token: tokenInfoOf(read.value) };
    const reason = tokenFailureOf(read.rv);
    if (reason === null) throw new Pkcs11CallError('C_GetTokenInfo', read.rv);
    return { ok: false, reason };
  }

  /** The PIN buffer is zeroed before this returns, whatever happens. */
  login(request: ParsedRequestOf<'login'>): WorkerResultOf<'login'> {
    try {
      let pin: string;
      try {
        // pkcs11js takes the PIN only as a JS string (CK_UTF8CHAR, v2.40 §5.6). That string
        // cannot be zeroed; it lives in this worker's heap only until collected. Never log it.
        pin = strictUtf8.decode(request.pin);
      } catch {
        return { ok: false, reason: 'pinInvalid' };
      }
      // CKR_PIN_INCORRECT is answered inside loginOn, with the flags read again.
      const refusal = (rv: number): Exclude<LoginRefusal, 'wrongPin'> | TokenFailureReason | null => {
        const reason = loginRefusalOf(rv);
        return reason === 'wrongPin' ? null : reason;
      };
      return this.#module.sessions.run(request.slotId, 'C_Login', refusal, (session) => this.#loginOn(session, request.userType, pin));
    } finally {
      request.pin.fill(0);
    }
  }

  /**
   * Always a real PIN check: if this worker logged in before, it logs out first; if the token
   * says someone is already logged in (state left by a worker that died), it logs out and
   * tries once more. A wrong PIN re-reads the flags, so "count low" and "final try" show;
   * if that wrong PIN used up the last try, the answer is pinLocked.
   */
  #loginOn(session: SlotSession, userType: UserType, pin: string): WorkerResultOf<'login'> {
    const { p11 } = this.#module;
    const ckUser = userType === 'so' ? CKU.SO : CKU.USER;
    if (session.loggedIn !== null) attempt(() => p11.C_Logout(session.handle));
    session.loggedIn = null;
    session.objects.clear();
    for (let tries = 0; ; tries++) {
      const result = attempt(() => p11.C_Login(session.handle, ckUser, pin));
      if (result.ok) {
        session.loggedIn = userType;
        return { ok: true };
      }
      if (isAlreadyLoggedIn(result.rv) && tries === 0) {
        attempt(() => p11.C_Logout(session.handle));
        continue;
      }
      if (result.rv !== CKR.PIN_INCORRECT) throw new Pkcs11CallError('C_Login', result.rv);
      const flags = decodeTokenFlags(p11.C_GetTokenInfo(session.slot).flags);
      const locked = userType === 'so' ? flags.soPinLocked : flags.userPinLocked;
      return locked ? { ok: false, reason: 'pinLocked' } : { ok: false, reason: 'wrongPin', flags };
    }
  }

  logout(slotId: number): WorkerResultOf<'logout'> {
    const { p11, sessions } = this.#module;
    return sessions.run(slotId, 'C_Logout', tokenFailureOf, (session) => {
      const result = attempt(() => p11.C_Logout(session.handle));
      session.loggedIn = null;
      session.objects.clear();
      if (!result.ok && result.rv !== CKR.USER_NOT_LOGGED_IN) throw new Pkcs11CallError('C_Logout', result.rv);
      return { ok: true as const };
    });
  }

  listObjects(slotId: number): WorkerResultOf<'listObjects'> {
    const { p11, sessions } = this.#module;
    return sessions.run(slotId, 'C_FindObjects', tokenFailureOf, (session) => listObjects(p11, session));
  }

  findKey(request: ParsedRequestOf<'findKey'>): WorkerResultOf<'findKey'> {
    const { p11, sessions } = this.#module;
    return sessions.run(request.slotId, 'C_FindObjects', tokenFailureOf, (session) => findKey(p11, session, request.keyClass, request.key));
  }

  getPublicKey(request: ParsedRequestOf<'getPublicKey'>): WorkerResultOf<'getPublicKey'> {
    const { p11, sessions } = this.#module;
    return sessions.run(request.slotId, 'C_FindObjects', tokenFailureOf, (session) => getPublicKey(p11, session, request.key));
  }

  sign(request: ParsedRequestOf<'sign'>): WorkerResultOf<'sign'> {
    const { p11, sessions } = this.#module;
    return sessions.run(request.slotId, 'C_Sign', keyUseRefusalOf, (session) => sign(p11, sessions, session, request));
  }

  decrypt(request: ParsedRequestOf<'decrypt'>): WorkerResultOf<'decrypt'> {
    const { p11, sessions } = this.#module;
    return sessions.run(request.slotId, 'C_Decrypt', decryptRefusalOf, (session) => decrypt(p11, session, request));
  }

  generateKeyPair(request: ParsedRequestOf<'generateKeyPair'>): WorkerResultOf<'generateKeyPair'> {
    const { p11, sessions } = this.#module;
    return sessions.run(request.slotId, 'C_GenerateKeyPair', keyGenerationRefusalOf, (session) => generateKeyPair(p11, session, request));
  }

  writeCertificate(request: ParsedRequestOf<'writeCertificate'>): WorkerResultOf<'writeCertificate'> {
    const { p11, sessions } = this.#module;
    return sessions.run(request.slotId, 'C_CreateObject', objectWriteRefusalOf, (session) => writeCertificate(p11, session, request.certificate));
  }
}
