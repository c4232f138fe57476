/**
 * The CA's side of a PKCS#11 token: a worker thread (pkcs11-worker.ts) that owns the module and
 * the session, and a CaSigner whose key never leaves the token. The token PIN travels to the
 * worker once, in a transferred buffer the worker zeroes after C_Login.
 */
import { createHash, createPublicKey } from 'node:crypto';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { CardDeskError } from '../../shared/errors';
import type { CaAlgorithm } from '../../shared/schemas/ca';
import { describeKey, signatureAlgorithmFor, type CaSigner } from './ca-signer';
import { ecdsaRawToDer } from '../pkcs11/signature-encoding';
import type { Pkcs11Replies, Pkcs11Request, Pkcs11Response } from './pkcs11-protocol';

/** Where the built worker lives next to the bundled entry points (dist/). */
export function defaultPkcs11WorkerPath(): string {
  return join(typeof __dirname === 'string' ? __dirname : process.cwd(), 'pkcs11-ca-worker.cjs');
}

export interface TokenLocation {
  /** The PKCS#11 module (for example /usr/lib/softhsm/libsofthsm2.so). */
  readonly module: string;
  readonly tokenLabel: string;
}

export class CaTokenSession {
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  #next = 1;
  #gone: Error | null = null;

  private constructor(workerPath: string) {
    this.#worker = new Worker(workerPath);
    this.#worker.unref();
    this.#worker.on('message', (response: Pkcs11Response) => {
      const waiting = this.#pending.get(response.id);
      this.#pending.delete(response.id);
      if (waiting === undefined) return;
      if (response.ok) waiting.resolve(response.value);
      else waiting.reject(new CardDeskError('INTERNAL', `The PKCS#11 token refused: ${response.message}`));
    });
    const fail = (error: Error): void => {
      this.#gone ??= new CardDeskError('INTERNAL', `The PKCS#11 worker stopped: ${error.message}`);
      for (const waiting of this.#pending.values()) waiting.reject(this.#gone);
      this.#pending.clear();
    };
    this.#worker.on('error', fail);
    this.#worker.on('exit', (code) => fail(new Error(`exit code ${code}`)));
  }

  /** Loads the module in a worker and logs in; `pin` is zeroed here whatever happens. */
  static async open(workerPath: string, location: TokenLocation, pin: Buffer): Promise<CaTokenSession> {
    const token = new CaTokenSession(workerPath);
    const copy = new Uint8Array(pin);
    pin.fill(0);
    try {
      await token.#call({ op: 'open', module: location.module, tokenLabel: location.tokenLabel, pin: copy }, [copy.buffer]);
      return token;
    } catch (error) {
      await token.close();
      throw error;
    }
  }

  #call<O extends Pkcs11Request['op']>(request: Extract<Pkcs11Request, { op: O }>, transfer: ArrayBuffer[] = []): Promise<Pkcs11Replies[O]> {
    if (this.#gone !== null) return Promise.reject(this.#gone);
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.#worker.postMessage({ id, request }, transfer);
    });
  }

  /** Generates a key pair on the token (private key sensitive, never extractable); returns its SPKI. */
  async generate(algorithm: CaAlgorithm, label: string, keyId: Buffer): Promise<Buffer> {
    return Buffer.from(await this.#call({ op: 'generate', algorithm, label, keyId: new Uint8Array(keyId) }));
  }

  async sign(keyId: Buffer, mechanism: 'ecdsa' | 'sha256-rsa', data: Buffer): Promise<Buffer> {
    return Buffer.from(await this.#call({ op: 'sign', keyId: new Uint8Array(keyId), mechanism, data: new Uint8Array(data) }));
  }

  describe(keyId: Buffer): Promise<Pkcs11Replies['describe']> {
    return this.#call({ op: 'describe', keyId: new Uint8Array(keyId) });
  }

  async close(): Promise<void> {
    try {
      await this.#call({ op: 'close' });
    } catch {
      // Closing a token that failed to open: nothing left to close.
    }
    await this.#worker.terminate();
  }
}

export class Pkcs11Signer implements CaSigner {
  readonly algorithmIdentifier: Buffer;
  readonly #digest: 'sha256' | 'sha384';
  readonly #ec: boolean;

  constructor(
    private readonly token: () => Promise<CaTokenSession>,
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
    if (!this.#ec) return token.sign(this.keyId, 'sha256-rsa', data);
    // The token signs the digest (CKM_ECDSA); hashing here works with every token.
    return ecdsaRawToDer(await token.sign(this.keyId, 'ecdsa', createHash(this.#digest).update(data).digest()));
  }
}
