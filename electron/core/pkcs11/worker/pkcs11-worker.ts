/**
 * The entry of a PKCS#11 worker thread (bundled as dist/pkcs11-worker.cjs). It owns one
 * module for its whole life and answers the main thread's requests one at a time; every
 * blocking PKCS#11 call (C_Login, C_GetSlotList, a slow C_GenerateKeyPair) blocks this
 * thread only. Requests are parsed before use; a request that does not parse is refused.
 */
import { parentPort } from 'node:worker_threads';
import { CardDeskError } from '../../../shared/errors';
import { compactBytes, type ParsedPkcs11Request, Pkcs11RequestSchema, type Pkcs11Response, type WorkerError } from '../protocol';
import { ckrOf, failedCall, Pkcs11CallError } from './call-error';
import { ModuleDriver, type Pkcs11Library } from './module-driver';

/** pkcs11js is CommonJS: the bundle sees its exports directly, an ES import sees them as `default`. */
async function loadPkcs11js(): Promise<Pkcs11Library> {
  const loaded = (await import('pkcs11js')) as unknown as Partial<Pkcs11Library> & { default?: Pkcs11Library };
  return loaded.default ?? (loaded as Pkcs11Library);
}

function handle(driver: ModuleDriver, request: ParsedPkcs11Request): unknown {
  switch (request.kind) {
    case 'init':
      return driver.init(request.modulePath);
    case 'listSlots':
      return driver.listSlots(request.tokenPresent);
    case 'tokenInfo':
      return driver.tokenInfo(request.slotId);
    case 'login':
      return driver.login(request);
    case 'logout':
      return driver.logout(request.slotId);
    case 'listObjects':
      return driver.listObjects(request.slotId);
    case 'findKey':
      return driver.findKey(request);
    case 'getPublicKey':
      return driver.getPublicKey(request);
    case 'sign':
      return driver.sign(request);
    case 'decrypt':
      return driver.decrypt(request);
    case 'generateKeyPair':
      return driver.generateKeyPair(request);
    case 'writeCertificate':
      return driver.writeCertificate(request);
    case 'close':
      return driver.close();
  }
}

function errorOf(error: unknown): WorkerError {
  if (error instanceof Pkcs11CallError) return { code: error.code, message: error.message, ckr: error.ckr };
  if (error instanceof CardDeskError) return { code: error.code, message: error.message, ckr: null };
  // A CK_RV outside an operation's own mapping (C_GetSlotList, C_GetInfo).
  const rv = ckrOf(error);
  if (rv !== null) return errorOf(new Pkcs11CallError(failedCall(error, 'A PKCS#11 call'), rv));
  // A bug on our side; the message has no secret (PINs never reach an exception text).
  return { code: 'INTERNAL', message: error instanceof Error ? `${error.name}: ${error.message}` : String(error), ckr: null };
}

/** Zeroes every byte array in a message: a refused request's PIN, a posted result's copy. */
function wipe(value: unknown): void {
  if (value instanceof Uint8Array) value.fill(0);
  else if (Array.isArray(value)) for (const item of value) wipe(item);
  else if (value !== null && typeof value === 'object') for (const item of Object.values(value)) wipe(item);
}

function idOf(raw: unknown): number | null {
  const id = (raw as { id?: unknown } | null)?.id;
  return typeof id === 'number' && Number.isSafeInteger(id) && id >= 0 ? id : null;
}

async function main(): Promise<void> {
  const port = parentPort;
  if (port === null) throw new Error('pkcs11-worker runs only as a worker thread.');
  const driver = new ModuleDriver(await loadPkcs11js());
  port.on('message', (raw: unknown) => {
    const parsed = Pkcs11RequestSchema.safeParse(raw);
    if (!parsed.success) {
      wipe(raw);
      const response: Pkcs11Response = { id: idOf(raw), ok: false, error: { code: 'INVALID_ARGUMENTS', message: `Malformed PKCS#11 request: ${parsed.error.message}`, ckr: null } };
      port.postMessage(response);
      return;
    }
    const request = parsed.data;
    let response: Pkcs11Response;
    try {
      response = { id: request.id, ok: true, result: compactBytes(handle(driver, request)) };
    } catch (error) {
      response = { id: request.id, ok: false, error: errorOf(error) };
    } finally {
      if (request.kind === 'login') request.pin.fill(0);
    }
    port.postMessage(response);
    // The main thread has its own copy now; results may hold key material (a decrypted key).
    if (response.ok) wipe(response.result);
  });
}

// No top-level await: the bundle is CommonJS. A failure to start (pkcs11js missing) is an
// unhandled rejection, which ends the worker with an 'error' the client reports.
void main();
