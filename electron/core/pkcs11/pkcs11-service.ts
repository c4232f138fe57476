/**
 * PKCS#11 tokens for CardDesk: the configured modules (OpenSC, SoftHSM2, vendor modules),
 * each in its own worker thread, so no PKCS#11 call (C_Login, C_GetSlotList, a slow key
 * generation) ever blocks the main thread. The module stays initialised and its sessions open
 * between calls, so repeated logins and signatures cost one round trip to the worker each.
 *
 * Expected outcomes (wrong PIN, token removed, key not found, …) are values; unexpected
 * failures are CardDeskError with a PKCS11_* code. This service records no audit events:
 * the workflows that call it know the holder and the card, and record them.
 *
 * One instance per process: a PKCS#11 library is process-wide (one C_Initialize, v2.40
 * §5.4), so two services loading the same module would finalize it under each other.
 */
import { CardDeskError } from '../../shared/errors';
import type { Logger } from '../log/logger';
import { checkModuleList, realPathsOf, type Pkcs11ModuleConfig } from './module-config';
import { bindToken, type Pkcs11Token } from './pkcs11-token';
import type { SlotRef } from './schemas/common';
import type { DecryptMechanism, DecryptResult, GenerateKeyPairResult, KeyPairOptions, KeyPairSpec, SignMechanism, SignResult } from './schemas/crypto';
import type { CertificateWrite, FindKeyResult, KeyClass, KeySelector, ListObjectsResult, PublicKeyResult, WriteCertificateResult } from './schemas/objects';
import type { LoginResult, LogoutResult, ModuleInfo, ModuleProblem, SlotSummary, TokenInfoResult, UserType } from './schemas/token';
import type { CallOf, Pkcs11RequestKind, ResultOf } from './protocol';
import { type CallOptions, defaultPkcs11Timeouts, Pkcs11WorkerClient, type Pkcs11Timeouts } from './worker-client';
import type { Pkcs11WorkerSpawner } from './worker-spawner';

export interface Pkcs11ServiceDeps {
  readonly modules: readonly Pkcs11ModuleConfig[];
  /** Starts a worker running the PKCS#11 worker entry; from the composition root (see worker-spawner.ts). */
  readonly spawnWorker: Pkcs11WorkerSpawner;
  readonly log: Logger;
  readonly timeouts?: Partial<Pkcs11Timeouts>;
}

/** A configured module and whether it could be loaded: its library info, or the problem. */
export type ModuleStatus = Pkcs11ModuleConfig &
  ({ readonly state: 'loaded'; readonly info: ModuleInfo } | { readonly state: 'unavailable'; readonly problem: ModuleProblem; readonly message: string });

interface ModuleEntry {
  readonly config: Pkcs11ModuleConfig;
  readonly client: Pkcs11WorkerClient;
}

export class Pkcs11Service {
  readonly #modules = new Map<string, ModuleEntry>();
  #disposed = false;

  /** The service for `deps.modules`, with links resolved so one library named twice is refused. */
  static async create(deps: Pkcs11ServiceDeps): Promise<Pkcs11Service> {
    return new Pkcs11Service(deps, await realPathsOf(deps.modules));
  }

  /** `resolvePath` (from `realPathsOf`; `create` passes it) sees through links; without it paths are compared as written. */
  constructor(deps: Pkcs11ServiceDeps, resolvePath?: (path: string) => string) {
    checkModuleList(deps.modules, resolvePath);
    const timeouts = { ...defaultPkcs11Timeouts, ...deps.timeouts };
    for (const config of deps.modules) {
      const client = new Pkcs11WorkerClient({ moduleId: config.id, modulePath: config.path, spawn: deps.spawnWorker, log: deps.log, timeouts });
      this.#modules.set(config.id, { config, client });
    }
  }

  /** The configured modules, in order; nothing is loaded by asking. */
  get configuredModules(): readonly Pkcs11ModuleConfig[] {
    return [...this.#modules.values()].map((entry) => entry.config);
  }

  /** Every configured module, loaded if it was not yet: its library info or why it cannot be used. */
  modules(): Promise<ModuleStatus[]> {
    return Promise.all([...this.#modules.keys()].map((id) => this.moduleStatus(id)));
  }

  async moduleStatus(moduleId: string): Promise<ModuleStatus> {
    const { config, client } = this.#entry(moduleId);
    const load = await client.load();
    return load.ok ? { ...config, state: 'loaded', info: load.info } : { ...config, state: 'unavailable', problem: load.problem, message: load.message };
  }

  /** The module's slots with their tokens; `tokenPresent` lists only slots holding one. */
  listSlots(moduleId: string, options: { tokenPresent?: boolean } = {}): Promise<SlotSummary[]> {
    return this.#call(moduleId, { kind: 'listSlots', tokenPresent: options.tokenPresent ?? false });
  }

  /** The token's info and flags, read now (PIN counters change after every login). */
  tokenInfo(slot: SlotRef): Promise<TokenInfoResult> {
    return this.#call(slot.moduleId, { kind: 'tokenInfo', slotId: slot.slotId });
  }

  /**
   * Verifies the PIN and logs in (always a real check, never "already logged in"). The
   * service takes the PIN over: the caller's buffer is zeroed at once, a private copy is moved
   * to the worker, which zeroes it after C_Login. Never log a PIN.
   */
  login(slot: SlotRef, pin: Uint8Array, options: { userType?: UserType } = {}): Promise<LoginResult> {
    const copy = new Uint8Array(pin);
    pin.fill(0);
    return this.#call(slot.moduleId, { kind: 'login', slotId: slot.slotId, userType: options.userType ?? 'user', pin: copy }, { transfer: [copy] });
  }

  logout(slot: SlotRef): Promise<LogoutResult> {
    return this.#call(slot.moduleId, { kind: 'logout', slotId: slot.slotId });
  }

  /** Certificates, private keys (after login) and public keys on the token. */
  listObjects(slot: SlotRef): Promise<ListObjectsResult> {
    return this.#call(slot.moduleId, { kind: 'listObjects', slotId: slot.slotId });
  }

  /** One key by CKA_ID or CKA_LABEL; two matches are `keyAmbiguous`, never a guess. */
  findKey(slot: SlotRef, key: KeySelector, options: { keyClass?: KeyClass } = {}): Promise<FindKeyResult> {
    return this.#call(slot.moduleId, { kind: 'findKey', slotId: slot.slotId, key, keyClass: options.keyClass ?? 'private' });
  }

  /** The key pair's SubjectPublicKeyInfo (DER): from its public key, private key, or certificate. */
  getPublicKey(slot: SlotRef, key: KeySelector): Promise<PublicKeyResult> {
    return this.#call(slot.moduleId, { kind: 'getPublicKey', slotId: slot.slotId, key });
  }

  /** Signs `data` (a digest or a message, as the mechanism says) with the private key. */
  sign(slot: SlotRef, key: KeySelector, mechanism: SignMechanism, data: Uint8Array): Promise<SignResult> {
    return this.#call(slot.moduleId, { kind: 'sign', slotId: slot.slotId, key, mechanism, data });
  }

  /** Decrypts with the private key (CKM_RSA_PKCS); the plaintext may be key material: zero it after use. */
  decrypt(slot: SlotRef, key: KeySelector, mechanism: DecryptMechanism, data: Uint8Array): Promise<DecryptResult> {
    return this.#call(slot.moduleId, { kind: 'decrypt', slotId: slot.slotId, key, mechanism, data });
  }

  /** A key pair made on the token; by default non-extractable and sensitive. Returns its SPKI. */
  generateKeyPair(slot: SlotRef, spec: KeyPairSpec, options: KeyPairOptions): Promise<GenerateKeyPairResult> {
    return this.#call(slot.moduleId, { kind: 'generateKeyPair', slotId: slot.slotId, spec, options });
  }

  /** Writes an X.509 certificate (DER) to the token, usually with its key pair's CKA_ID. */
  writeCertificate(slot: SlotRef, certificate: CertificateWrite): Promise<WriteCertificateResult> {
    return this.#call(slot.moduleId, { kind: 'writeCertificate', slotId: slot.slotId, certificate });
  }

  /** The same operations bound to one token, for workflows that work with one (a card, the CA token). */
  token(slot: SlotRef): Pkcs11Token {
    this.#entry(slot.moduleId);
    return bindToken(this, slot);
  }

  /** Closes every session, finalizes every module, and ends every worker. Calls after this fail. */
  async dispose(): Promise<void> {
    this.#disposed = true;
    await Promise.all([...this.#modules.values()].map((entry) => entry.client.close()));
  }

  /** Every call answers with a promise: an unknown module or a closed service rejects it, never throws. */
  #call<K extends Exclude<Pkcs11RequestKind, 'init' | 'close'>>(moduleId: string, call: CallOf<K>, options?: CallOptions): Promise<ResultOf<K>> {
    let client: Pkcs11WorkerClient;
    try {
      client = this.#entry(moduleId).client;
    } catch (error) {
      for (const bytes of options?.transfer ?? []) bytes.fill(0);
      return Promise.reject(error instanceof Error ? error : new CardDeskError('INTERNAL', String(error)));
    }
    return client.call(call, options);
  }

  #entry(moduleId: string): ModuleEntry {
    if (this.#disposed) throw new CardDeskError('PKCS11_WORKER_STOPPED', 'The PKCS#11 service has been closed.');
    const entry = this.#modules.get(moduleId);
    if (entry === undefined) throw new CardDeskError('INVALID_ARGUMENTS', `No PKCS#11 module "${moduleId}" is configured.`);
    return entry;
  }
}
