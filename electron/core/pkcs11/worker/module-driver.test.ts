/**
 * The worker's module driver against a scripted PKCS#11 library: the paths SoftHSM2 cannot
 * show (a library left initialised by a dead worker, "already logged in", a lost session,
 * a PIN that locks on the last try).
 */
import type { PKCS11 } from 'pkcs11js';
import { describe, expect, it } from 'vitest';
import { CKF, CKR, ckrName } from '../ck';
import { ModuleDriver } from './module-driver';

const EXISTING_FILE = process.execPath;
const SLOT = Buffer.from('0700000000000000', 'hex');
const LOGIN_FLAGS = CKF.TOKEN_INITIALIZED | CKF.LOGIN_REQUIRED | CKF.USER_PIN_INITIALIZED;

function ckError(rv: number, method: string): Error {
  return Object.assign(new Error(ckrName(rv)), { code: rv, method });
}

/** Records calls; `script` answers each PKCS#11 function with a value or a CK_RV to throw. */
class ScriptedModule {
  readonly calls: string[] = [];
  readonly script = new Map<string, (number | (() => unknown))[]>();
  tokenFlags = LOGIN_FLAGS;
  #sessions = 0;

  #next(name: string, fallback: () => unknown): unknown {
    this.calls.push(name);
    const step = this.script.get(name)?.shift();
    if (typeof step === 'number') throw ckError(step, name);
    return (step ?? fallback)();
  }

  load(): void {
    this.#next('load', () => undefined);
  }
  close(): void {
    this.calls.push('close');
  }
  C_Initialize(): void {
    this.#next('C_Initialize', () => undefined);
  }
  C_Finalize(): void {
    this.#next('C_Finalize', () => undefined);
  }
  C_GetInfo(): unknown {
    return this.#next('C_GetInfo', () => ({ manufacturerID: 'Scripted  ', libraryDescription: 'Test module', libraryVersion: { major: 1, minor: 2 }, cryptokiVersion: { major: 3, minor: 0 }, flags: 0 }));
  }
  C_GetSlotList(): Buffer[] {
    return this.#next('C_GetSlotList', () => [SLOT]) as Buffer[];
  }
  C_GetTokenInfo(): unknown {
    return this.#next('C_GetTokenInfo', () => ({
      label: 'scripted', manufacturerID: 'Test', model: 'M', serialNumber: '1', flags: this.tokenFlags, minPinLen: 4, maxPinLen: 8,
      hardwareVersion: { major: 1, minor: 0 }, firmwareVersion: { major: 1, minor: 0 },
    }));
  }
  C_OpenSession(): Buffer {
    return this.#next('C_OpenSession', () => Buffer.from([++this.#sessions, 0, 0, 0, 0, 0, 0, 0])) as Buffer;
  }
  C_CloseSession(session: Buffer): void {
    this.#next(`C_CloseSession#${session[0]}`, () => undefined);
  }
  C_Login(session: Buffer): void {
    this.#next(`C_Login#${session[0]}`, () => undefined);
  }
  C_Logout(session: Buffer): void {
    this.#next(`C_Logout#${session[0]}`, () => undefined);
  }
}

function driverWith(module: ScriptedModule): ModuleDriver {
  const driver = new ModuleDriver({ PKCS11: function () { return module; } as unknown as new () => PKCS11 });
  expect(driver.init(EXISTING_FILE)).toMatchObject({ ok: true, info: { manufacturer: 'Scripted', libraryVersion: '1.2', cryptokiVersion: '3.0' } });
  return driver;
}

const login = (driver: ModuleDriver, pin = '1234', userType: 'user' | 'so' = 'user') =>
  driver.login({ id: 1, kind: 'login', slotId: 7, userType, pin: Buffer.from(pin) });

describe('loading a module', () => {
  it('initialises with OS locking, or without when the library cannot lock', () => {
    const module = new ScriptedModule();
    module.script.set('C_Initialize', [CKR.CANT_LOCK]);
    driverWith(module);
    expect(module.calls.filter((call) => call === 'C_Initialize')).toHaveLength(2);
  });

  it('adopts a library a dead worker left initialised, and logs every token out', () => {
    const module = new ScriptedModule();
    module.script.set('C_Initialize', [CKR.CRYPTOKI_ALREADY_INITIALIZED]);
    driverWith(module);
    expect(module.calls).toEqual(['load', 'C_Initialize', 'C_GetSlotList', 'C_OpenSession', 'C_Logout#1', 'C_CloseSession#1', 'C_GetInfo']);
  });

  it('says which step failed', () => {
    const missing = new ModuleDriver({ PKCS11: ScriptedModule as unknown as new () => PKCS11 });
    expect(missing.init('/nonexistent/lib.so')).toEqual({ ok: false, problem: 'fileMissing', message: 'There is no file at /nonexistent/lib.so.' });
    const refusing = new ScriptedModule();
    refusing.script.set('C_Initialize', [CKR.GENERAL_ERROR]);
    const driver = new ModuleDriver({ PKCS11: function () { return refusing; } as unknown as new () => PKCS11 });
    expect(driver.init(EXISTING_FILE)).toMatchObject({ ok: false, problem: 'initializeFailed', message: expect.stringContaining('CKR_GENERAL_ERROR') });
    expect(refusing.calls).toContain('close');
    const foreign = new ScriptedModule();
    foreign.script.set('load', [() => { throw new Error('/usr/lib/libz.so: undefined symbol: C_GetFunctionList'); }]);
    expect(new ModuleDriver({ PKCS11: function () { return foreign; } as unknown as new () => PKCS11 }).init(EXISTING_FILE)).toMatchObject({ ok: false, problem: 'notPkcs11Library' });
    expect(() => missing.listSlots(false)).toThrow(expect.objectContaining({ code: 'PKCS11_MODULE_UNAVAILABLE' }));
  });
});

describe('login', () => {
  it('never takes "already logged in" for a PIN check: it logs out and verifies the PIN', () => {
    const module = new ScriptedModule();
    module.script.set('C_Login#1', [CKR.USER_ALREADY_LOGGED_IN]);
    const driver = driverWith(module);
    expect(login(driver)).toEqual({ ok: true });
    expect(module.calls.slice(-3)).toEqual(['C_Login#1', 'C_Logout#1', 'C_Login#1']);
    // A second login by this worker logs out first, then checks the PIN again.
    expect(login(driver)).toEqual({ ok: true });
    expect(module.calls.slice(-2)).toEqual(['C_Logout#1', 'C_Login#1']);
  });

  it('replaces a lost session and tries once more', () => {
    const module = new ScriptedModule();
    module.script.set('C_Login#1', [CKR.SESSION_HANDLE_INVALID]);
    expect(login(driverWith(module))).toEqual({ ok: true });
    expect(module.calls).toContain('C_Login#2');
  });

  it('a wrong PIN comes with the flags read again; the wrong PIN that used the last try is pinLocked', () => {
    const module = new ScriptedModule();
    const driver = driverWith(module);
    module.script.set('C_Login#1', [CKR.PIN_INCORRECT, CKR.PIN_INCORRECT]);
    module.tokenFlags = LOGIN_FLAGS | CKF.USER_PIN_FINAL_TRY;
    expect(login(driver)).toMatchObject({ ok: false, reason: 'wrongPin', flags: { userPinFinalTry: true, userPinLocked: false } });
    module.tokenFlags = LOGIN_FLAGS | CKF.USER_PIN_LOCKED;
    expect(login(driver)).toEqual({ ok: false, reason: 'pinLocked' });
    module.script.set('C_Login#1', [CKR.PIN_LOCKED, CKR.PIN_LEN_RANGE]);
    expect(login(driver)).toEqual({ ok: false, reason: 'pinLocked' });
    expect(login(driver)).toEqual({ ok: false, reason: 'pinLenRange' });
  });

  it('a removed token is a value, and its session is forgotten', () => {
    const module = new ScriptedModule();
    const driver = driverWith(module);
    module.script.set('C_Login#1', [CKR.DEVICE_REMOVED]);
    expect(login(driver)).toEqual({ ok: false, reason: 'tokenRemoved' });
    module.script.set('C_OpenSession', [CKR.TOKEN_NOT_PRESENT]);
    expect(login(driver)).toEqual({ ok: false, reason: 'tokenNotPresent' });
    expect(login(driver)).toEqual({ ok: true });
    expect(module.calls).toContain('C_Login#2');
  });

  it('an unexpected CK_RV is a PKCS11_ERROR; the session is replaced before the old one closes', () => {
    const module = new ScriptedModule();
    const driver = driverWith(module);
    expect(login(driver)).toEqual({ ok: true });
    module.script.set('C_Logout#1', [CKR.DEVICE_ERROR]);
    module.script.set('C_Login#1', [CKR.DEVICE_ERROR]);
    expect(() => login(driver)).toThrow(expect.objectContaining({ code: 'PKCS11_ERROR', message: 'C_Login failed with CKR_DEVICE_ERROR.', ckr: CKR.DEVICE_ERROR }));
    const opened = module.calls.lastIndexOf('C_OpenSession');
    expect(opened).toBeGreaterThan(-1);
    expect(module.calls.indexOf('C_CloseSession#1')).toBeGreaterThan(opened);
  });

  it('zeroes the PIN, whatever the outcome, and refuses bytes that are not UTF-8', () => {
    const driver = driverWith(new ScriptedModule());
    const pin = Buffer.from([0xff, 0x31, 0x32, 0x33]);
    expect(driver.login({ id: 1, kind: 'login', slotId: 7, userType: 'user', pin })).toEqual({ ok: false, reason: 'pinInvalid' });
    expect([...pin]).toEqual([0, 0, 0, 0]);
  });

  it('closes sessions, finalizes and unloads on close', () => {
    const module = new ScriptedModule();
    const driver = driverWith(module);
    login(driver);
    expect(driver.close()).toEqual({ finalized: true });
    expect(module.calls.slice(-3)).toEqual(['C_CloseSession#1', 'C_Finalize', 'close']);
    expect(driver.close()).toEqual({ finalized: false });
  });
});
