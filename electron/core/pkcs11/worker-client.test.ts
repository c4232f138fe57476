import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import type { Logger } from '../log/logger';
import { defaultPkcs11Timeouts, Pkcs11WorkerClient, type Pkcs11Timeouts } from './worker-client';
import type { Pkcs11WorkerHandle } from './worker-spawner';

interface Posted {
  readonly message: { id: number; kind: string; [key: string]: unknown };
  readonly transfer: readonly ArrayBuffer[];
}

/** A scripted worker: the test reads what was posted and answers, dies or exits at will. */
class FakeWorker extends EventEmitter implements Pkcs11WorkerHandle {
  readonly posted: Posted[] = [];
  refed = false;
  terminated = false;
  #exit: (() => void) | null = null;
  /** When false, terminate() waits for exitNow(), like a thread stuck in a native call. */
  exitsAtOnce = true;

  /** Plays a structured-clone failure for requests of this kind. */
  refuseKind: string | null = null;

  postMessage(value: unknown, transfer: readonly ArrayBuffer[] = []): void {
    if ((value as { kind?: string }).kind === this.refuseKind) throw new Error('DataCloneError: could not be cloned');
    this.posted.push({ message: value as Posted['message'], transfer });
  }

  terminate(): Promise<number> {
    this.terminated = true;
    return new Promise((resolve) => {
      this.#exit = () => {
        this.emit('exit', 1);
        resolve(1);
      };
      if (this.exitsAtOnce) this.exitNow();
    });
  }

  exitNow(): void {
    const exit = this.#exit;
    this.#exit = null;
    exit?.();
  }

  ref(): void {
    this.refed = true;
  }

  unref(): void {
    this.refed = false;
  }

  last(): Posted['message'] {
    const posted = this.posted.at(-1);
    if (posted === undefined) throw new Error('nothing posted');
    return posted.message;
  }

  answer(result: unknown): void {
    this.emit('message', { id: this.last().id, ok: true, result });
  }

  fail(code: string, message: string, ckr: number | null = null): void {
    this.emit('message', { id: this.last().id, ok: false, error: { code, message, ckr } });
  }

  loaded(): void {
    this.answer({ ok: true, info: { manufacturer: 'Fake', description: 'Fake module', libraryVersion: '1.0', cryptokiVersion: '2.40' } });
  }
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

function setup(timeouts: Partial<Pkcs11Timeouts> = {}) {
  const workers: FakeWorker[] = [];
  const lines: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
  const log: Logger = {
    info: (message, fields) => lines.push({ level: 'info', message, ...(fields ? { fields } : {}) }),
    warn: (message, fields) => lines.push({ level: 'warn', message, ...(fields ? { fields } : {}) }),
    error: (message, fields) => lines.push({ level: 'error', message, ...(fields ? { fields } : {}) }),
  };
  const client = new Pkcs11WorkerClient({
    moduleId: 'fake',
    modulePath: '/opt/fake/libfake.so',
    log,
    // A fake that never answers `close` would hold every test for the default grace.
    timeouts: { ...defaultPkcs11Timeouts, close: 20, ...timeouts },
    spawn: () => {
      const worker = new FakeWorker();
      workers.push(worker);
      return worker;
    },
  });
  const worker = (index: number): FakeWorker => {
    const found = workers[index];
    if (found === undefined) throw new Error(`no worker ${index}`);
    return found;
  };
  return { client, workers, worker, lines };
}

let cleanup: (() => Promise<void>) | null = null;
afterEach(async () => {
  await cleanup?.();
  cleanup = null;
});

describe('the PKCS#11 worker client', () => {
  it('loads the module first, then sends one request at a time with its id', async () => {
    const { client, worker } = setup();
    cleanup = () => client.close();
    const first = client.call({ kind: 'listSlots', tokenPresent: true });
    const second = client.call({ kind: 'tokenInfo', slotId: 7 });
    expect(worker(0).posted.map((posted) => posted.message)).toEqual([{ kind: 'init', modulePath: '/opt/fake/libfake.so', id: 1 }]);
    expect(worker(0).refed).toBe(true);
    worker(0).loaded();
    expect(worker(0).last()).toEqual({ kind: 'listSlots', tokenPresent: true, id: 2 });
    expect(worker(0).posted).toHaveLength(2);
    worker(0).answer([]);
    await expect(first).resolves.toEqual([]);
    expect(worker(0).last()).toEqual({ kind: 'tokenInfo', slotId: 7, id: 3 });
    worker(0).answer({ ok: false, reason: 'tokenNotPresent' });
    await expect(second).resolves.toEqual({ ok: false, reason: 'tokenNotPresent' });
    expect(worker(0).refed).toBe(false);
  });

  it('turns an error answer into a CardDeskError and logs its CKR name', async () => {
    const { client, worker, lines } = setup();
    cleanup = () => client.close();
    const call = client.call({ kind: 'listSlots', tokenPresent: false });
    worker(0).loaded();
    worker(0).fail('PKCS11_ERROR', 'C_GetSlotList failed with CKR_DEVICE_ERROR.', 0x30);
    await expect(call).rejects.toMatchObject({ name: 'CardDeskError', code: 'PKCS11_ERROR', message: 'C_GetSlotList failed with CKR_DEVICE_ERROR.' });
    expect(lines).toContainEqual(expect.objectContaining({ level: 'error', fields: expect.objectContaining({ request: 'listSlots', ckr: 'CKR_DEVICE_ERROR' }) }));
  });

  it('refuses a result that does not match its schema', async () => {
    const { client, worker } = setup();
    cleanup = () => client.close();
    const call = client.call({ kind: 'sign', slotId: 1, key: { id: '01' }, mechanism: { name: 'ECDSA' }, data: Buffer.alloc(32) });
    worker(0).loaded();
    worker(0).answer({ ok: true, signature: 'not bytes' });
    await expect(call).rejects.toMatchObject({ code: 'PKCS11_ERROR', message: expect.stringContaining('malformed sign result') });
  });

  it('reports a module that cannot be loaded as a value, and fails what waited for it', async () => {
    const { client, worker, workers } = setup();
    cleanup = () => client.close();
    const load = client.load();
    const call = client.call({ kind: 'listSlots', tokenPresent: false });
    worker(0).answer({ ok: false, problem: 'fileMissing', message: 'There is no file at /opt/fake/libfake.so.' });
    await expect(load).resolves.toEqual({ ok: false, problem: 'fileMissing', message: 'There is no file at /opt/fake/libfake.so.' });
    await expect(call).rejects.toMatchObject({ code: 'PKCS11_MODULE_UNAVAILABLE', message: 'There is no file at /opt/fake/libfake.so.' });
    expect(worker(0).posted).toHaveLength(1);
    expect(worker(0).terminated).toBe(true);
    // The file may appear later: the next call tries again with a new worker.
    void client.load();
    await tick();
    expect(workers).toHaveLength(2);
  });

  it('moves a PIN to the worker, and zeroes it when the call never gets there', async () => {
    const { client, worker } = setup();
    const pin = new Uint8Array([0x31, 0x32, 0x33, 0x34]);
    const login = client.call({ kind: 'login', slotId: 1, userType: 'user', pin }, { transfer: [pin] });
    worker(0).loaded();
    expect(worker(0).last()).toMatchObject({ kind: 'login', pin });
    expect(worker(0).posted.at(-1)?.transfer).toEqual([pin.buffer]);
    worker(0).answer({ ok: true });
    await expect(login).resolves.toEqual({ ok: true });

    const blocker = client.call({ kind: 'listSlots', tokenPresent: false });
    const queuedPin = new Uint8Array([0x39, 0x39, 0x39, 0x39]);
    const queued = client.call({ kind: 'login', slotId: 1, userType: 'user', pin: queuedPin }, { transfer: [queuedPin] });
    const settled = Promise.allSettled([queued, blocker]);
    await client.close();
    for (const result of await settled) expect(result).toMatchObject({ status: 'rejected', reason: { code: 'PKCS11_WORKER_STOPPED' } });
    expect([...queuedPin]).toEqual([0, 0, 0, 0]);
  });

  it('a call past its timeout fails; calls behind it fail too; the fresh worker waits for the stuck one to end', async () => {
    const { client, worker, workers, lines } = setup({ generateKeyPair: 30 });
    cleanup = () => client.close();
    const slow = client.call({ kind: 'generateKeyPair', slotId: 1, spec: { type: 'rsa', bits: 4096 }, options: { label: 'k', id: '01' } });
    const behind = client.call({ kind: 'listSlots', tokenPresent: false });
    worker(0).exitsAtOnce = false;
    worker(0).loaded();
    await expect(slow).rejects.toMatchObject({ code: 'PKCS11_TIMEOUT', message: 'The PKCS#11 module "fake" did not answer generateKeyPair within 30 ms.' });
    await expect(behind).rejects.toMatchObject({ code: 'PKCS11_WORKER_STOPPED' });
    expect(worker(0).terminated).toBe(true);
    expect(lines).toContainEqual(expect.objectContaining({ level: 'warn', message: 'PKCS#11 call timed out; restarting the module worker' }));

    const next = client.call({ kind: 'listSlots', tokenPresent: false });
    expect(workers).toHaveLength(2);
    await tick();
    // The old thread is still inside the library: nothing is sent to the new one yet.
    expect(worker(1).posted).toHaveLength(0);
    worker(0).exitNow();
    await tick();
    expect(worker(1).last()).toMatchObject({ kind: 'init' });
    worker(1).loaded();
    worker(1).answer([]);
    await expect(next).resolves.toEqual([]);
    // A late answer from the old worker is ignored.
    worker(0).emit('message', { id: 2, ok: true, result: {} });
  });

  it('a worker that dies fails the call in flight and the queue; the next call starts a new one', async () => {
    const { client, worker, workers, lines } = setup();
    cleanup = () => client.close();
    const inFlight = client.call({ kind: 'listSlots', tokenPresent: false });
    const queued = client.call({ kind: 'tokenInfo', slotId: 1 });
    worker(0).loaded();
    worker(0).emit('error', new Error('worker crashed'));
    worker(0).emit('exit', 1);
    await expect(inFlight).rejects.toMatchObject({ code: 'PKCS11_WORKER_STOPPED', message: 'The worker for PKCS#11 module "fake" stopped before answering.' });
    await expect(queued).rejects.toMatchObject({ code: 'PKCS11_WORKER_STOPPED' });
    expect(lines.filter((line) => line.message === 'PKCS#11 worker stopped')).toHaveLength(1);
    const again = client.call({ kind: 'tokenInfo', slotId: 1 });
    await tick();
    expect(workers).toHaveLength(2);
    worker(1).loaded();
    worker(1).answer({ ok: false, reason: 'tokenNotPresent' });
    await expect(again).resolves.toEqual({ ok: false, reason: 'tokenNotPresent' });
  });

  it('an answer out of turn means the worker cannot be trusted: it is restarted', async () => {
    const { client, worker } = setup();
    cleanup = () => client.close();
    const call = client.call({ kind: 'listSlots', tokenPresent: false });
    worker(0).loaded();
    worker(0).emit('message', { id: 999, ok: true, result: [] });
    await expect(call).rejects.toMatchObject({ code: 'PKCS11_WORKER_STOPPED', message: expect.stringContaining('out of turn') });
    expect(worker(0).terminated).toBe(true);
  });

  it('close asks the worker to finalize, ends it, and refuses later calls', async () => {
    const { client, worker } = setup();
    const ready = client.load();
    worker(0).loaded();
    await ready;
    const closing = client.close();
    expect(worker(0).last()).toMatchObject({ kind: 'close' });
    worker(0).answer({ finalized: true });
    await closing;
    expect(worker(0).terminated).toBe(true);
    const pin = new Uint8Array([1, 2, 3]);
    await expect(client.call({ kind: 'login', slotId: 1, userType: 'user', pin }, { transfer: [pin] })).rejects.toMatchObject({ code: 'PKCS11_WORKER_STOPPED' });
    expect([...pin]).toEqual([0, 0, 0]);
    await expect(client.load()).rejects.toMatchObject({ code: 'PKCS11_WORKER_STOPPED' });
  });

  it('a worker file that cannot be started is a clear error, not a throw', async () => {
    const lines: string[] = [];
    const client = new Pkcs11WorkerClient({
      moduleId: 'fake',
      modulePath: '/opt/fake/libfake.so',
      log: { info() {}, warn() {}, error: (message) => lines.push(message) },
      timeouts: defaultPkcs11Timeouts,
      spawn: () => {
        throw new Error('Cannot find module dist/pkcs11-worker.cjs');
      },
    });
    const pin = new Uint8Array([1, 2]);
    await expect(client.call({ kind: 'login', slotId: 1, userType: 'user', pin }, { transfer: [pin] })).rejects.toMatchObject({ code: 'PKCS11_WORKER_STOPPED', message: expect.stringContaining('could not be started') });
    expect([...pin]).toEqual([0, 0]);
    await expect(client.load()).rejects.toMatchObject({ code: 'PKCS11_WORKER_STOPPED' });
    expect(lines).toContain('PKCS#11 worker could not be started');
  });

  it('a request that cannot be cloned fails alone; the next one goes through', async () => {
    const { client, worker } = setup();
    cleanup = () => client.close();
    const ready = client.load();
    worker(0).loaded();
    await ready;
    worker(0).refuseKind = 'tokenInfo';
    const refused = client.call({ kind: 'tokenInfo', slotId: 1 });
    const next = client.call({ kind: 'listSlots', tokenPresent: false });
    await expect(refused).rejects.toMatchObject({ code: 'INVALID_ARGUMENTS' });
    expect(worker(0).last()).toMatchObject({ kind: 'listSlots' });
    worker(0).answer([]);
    await expect(next).resolves.toEqual([]);
  });

  it('a worker whose init fails with an error is stopped before anything else is sent to it', async () => {
    const { client, worker } = setup();
    cleanup = () => client.close();
    const load = client.load();
    const call = client.call({ kind: 'listSlots', tokenPresent: false });
    worker(0).fail('INTERNAL', 'TypeError: boom');
    await expect(load).resolves.toEqual({ ok: false, problem: 'loadFailed', message: 'TypeError: boom' });
    await expect(call).rejects.toMatchObject({ code: 'PKCS11_MODULE_UNAVAILABLE', message: 'TypeError: boom' });
    expect(worker(0).posted).toHaveLength(1);
    expect(worker(0).terminated).toBe(true);
  });
});
