/**
 * The CA's keys on a PKCS#11 token, through the desk's one PKCS#11 stack (pkcs11/pkcs11-service.ts:
 * a worker per module, schemas on every message, a timeout per call, a hung or dead worker
 * restarted). The keys are generated sensitive and never extractable, so only signatures leave
 * the token. A restarted worker has logged the token out: the token logs in again with the PIN
 * the vault keeps sealed for it, once, and the call is made again.
 */
import { createHash, createPublicKey } from 'node:crypto';
import { CardDeskError } from '../../shared/errors';
import type { CaAlgorithm } from '../../shared/schemas/ca';
import type { Logger } from '../log/logger';
import { Pkcs11Service } from '../pkcs11/pkcs11-service';
import type { Pkcs11Token } from '../pkcs11/pkcs11-token';
import type { KeyPairSpec, SignMechanism } from '../pkcs11/schemas/crypto';
import type { Pkcs11Timeouts } from '../pkcs11/worker-client';
import type { Pkcs11WorkerSpawner } from '../pkcs11/worker-spawner';
import { describeKey, signatureAlgorithmFor, type CaSigner } from './ca-signer';

export interface TokenLocation {
  /** The PKCS#11 module (for example /usr/lib/softhsm/libsofthsm2.so), its path checked. */
  readonly module: string;
  readonly tokenLabel: string;
}

/** How the CA reaches PKCS#11: the composition root's worker spawner, and (tests) shorter timeouts. */
export interface CaPkcs11Options {
  readonly spawnWorker: Pkcs11WorkerSpawner;
  readonly log: Logger;
  readonly timeouts?: Partial<Pkcs11Timeouts>;
}

/** The attributes that keep a CA key on its token, as the token reports them. */
export interface TokenKeyState {
  readonly sensitive: boolean;
  readonly extractable: boolean;
  readonly neverExtractable: boolean;
  readonly token: boolean;
}

const keyPairSpecs: Record<CaAlgorithm, KeyPairSpec> = {
  p384: { type: 'ec', curve: 'P-384' },
  rsa3072: { type: 'rsa', bits: 3072 },
  rsa4096: { type: 'rsa', bits: 4096 },
};

function refused(what: string, reason: string): CardDeskError {
  return new CardDeskError('PKCS11_ERROR', `The PKCS#11 token refused ${what}: ${reason}.`);
}

export class CaToken {
  private constructor(
    private readonly service: Pkcs11Service,
    private readonly token: Pkcs11Token,
    /** The token PIN, fresh each time (opened from the vault); zeroed by the login. */
    private readonly pin: () => Buffer,
  ) {}

  /**
   * Loads the module in its worker, finds the token by label and logs in. `pin` gives the token
   * PIN each time a login is needed (never log it); each copy is zeroed by the login.
   */
  static async open(location: TokenLocation, pin: () => Buffer, options: CaPkcs11Options): Promise<CaToken> {
    const moduleId = 'ca-token';
    const service = await Pkcs11Service.create({
      modules: [{ id: moduleId, name: `CA token ${location.tokenLabel}`, path: location.module }],
      spawnWorker: options.spawnWorker,
      log: options.log,
      ...(options.timeouts === undefined ? {} : { timeouts: options.timeouts }),
    });
    try {
      const module = await service.moduleStatus(moduleId);
      if (module.state !== 'loaded') throw new CardDeskError('PKCS11_MODULE_UNAVAILABLE', `The PKCS#11 module ${location.module} cannot be used: ${module.message}`);
      const slot = (await service.listSlots(moduleId, { tokenPresent: true })).find((candidate) => candidate.token.state === 'present' && candidate.token.info.label.trim() === location.tokenLabel);
      if (slot === undefined) throw new CardDeskError('PKCS11_ERROR', `No token labelled "${location.tokenLabel}" in ${location.module}.`);
      const token = new CaToken(service, service.token({ moduleId, slotId: slot.slotId }), pin);
      await token.#login();
      return token;
    } catch (error) {
      await service.dispose();
      throw error;
    }
  }

  async #login(): Promise<void> {
    const outcome = await this.token.login(this.pin());
    if (!outcome.ok) throw refused('the login', outcome.reason);
  }

  /**
   * Runs `work`; when the token says nobody is logged in (its worker was restarted), logs in once
   * and runs it again. Logged out, a token hides its private keys (CKA_PRIVATE, PKCS#11 v2.40
   * §4.4), so "no such key" is taken as that too.
   */
  async #loggedIn<R extends { ok: boolean; reason?: string }>(work: () => Promise<R>): Promise<R> {
    const first = await work();
    if (first.ok || (first.reason !== 'notLoggedIn' && first.reason !== 'keyNotFound')) return first;
    await this.#login();
    return work();
  }

  /** Generates a key pair on the token (private key sensitive, never extractable); returns its SPKI. */
  async generate(algorithm: CaAlgorithm, label: string, keyId: Buffer): Promise<Buffer> {
    // Sensitive and never extractable: the CA key cannot leave the token, not even wrapped.
    const options = { label, id: keyId.toString('hex'), extractable: false, sensitive: true, token: true, usage: ['sign' as const] };
    const made = await this.#loggedIn(() => this.token.generateKeyPair(keyPairSpecs[algorithm], options));
    if (!made.ok) throw refused('to generate the key', made.reason);
    return Buffer.from(made.spki);
  }

  async sign(keyId: Buffer, mechanism: SignMechanism, data: Buffer): Promise<Buffer> {
    const signed = await this.#loggedIn(() => this.token.sign({ id: keyId.toString('hex') }, mechanism, data));
    if (!signed.ok) throw refused('to sign', signed.reason);
    return Buffer.from(signed.signature);
  }

  /** The key's attributes, found again by its id. */
  async describe(keyId: Buffer): Promise<TokenKeyState> {
    const found = await this.#loggedIn(() => this.token.findKey({ id: keyId.toString('hex') }, { keyClass: 'private' }));
    if (!found.ok) throw refused('to find the key', found.reason);
    if (found.key.keyClass !== 'private') throw new CardDeskError('INTERNAL', 'The token answered with a public key.');
    const { sensitive, extractable, neverExtractable, token } = found.key;
    return { sensitive, extractable, neverExtractable, token };
  }

  /** Logs out, closes the session, finalizes the module and ends its worker. */
  close(): Promise<void> {
    return this.service.dispose();
  }
}

export class Pkcs11Signer implements CaSigner {
  readonly algorithmIdentifier: Buffer;
  readonly #digest: 'sha256' | 'sha384';
  readonly #ec: boolean;

  constructor(
    private readonly token: () => Promise<CaToken>,
    private readonly keyId: Buffer,
    readonly publicKeyInfo: Buffer,
  ) {
    const key = createPublicKey({ key: publicKeyInfo, format: 'der', type: 'spki' });
    const algorithm = signatureAlgorithmFor(key);
    this.algorithmIdentifier = algorithm.identifier;
    this.#digest = algorithm.digest;
    this.#ec = describeKey(key).kind === 'ec';
  }

  async sign(data: Buffer): Promise<Buffer> {
    const token = await this.token();
    if (!this.#ec) return token.sign(this.keyId, { name: 'SHA256_RSA_PKCS' }, data);
    // The token signs the digest (CKM_ECDSA); hashing here works with every token.
    return token.sign(this.keyId, { name: 'ECDSA', signatureFormat: 'der' }, createHash(this.#digest).update(data).digest());
  }
}
