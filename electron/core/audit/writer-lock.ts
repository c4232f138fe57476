/**
 * The audit log's append lock. The app, browser mode and every `carddesk` command may append to
 * the same log, so a process holds this lock only while it appends one batch (a few
 * milliseconds): it creates `writer.lock` exclusively, appends, and removes it.
 *
 * A lock left by a process that died is broken when its process is gone or it is older than
 * `staleMs`. Breaking renames the file away first and checks it was the stale one, so two
 * processes breaking at once cannot both win (a live lock taken in between is put back).
 * Process ids are only meaningful on one machine: the data folder is not for network shares.
 */
import { randomBytes } from 'node:crypto';
import { link, open, readFile, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { CardDeskError } from '../../shared/errors';

/** How long a lock is kept after a batch for the next one (see `releaseSoon`). */
const LINGER_MS = 2;
const MAX_LINGER_HOLD_MS = 250;

export interface WriterLockOptions {
  readonly staleMs?: number;
  readonly timeoutMs?: number;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class WriterLock {
  readonly #path: string;
  readonly #staleMs: number;
  readonly #timeoutMs: number;
  #token: string | null = null;
  #acquiredAt = 0;
  #lingering: NodeJS.Timeout | null = null;
  /** This holder's release under way (its file not yet removed): the next acquire waits for it. */
  #releasing: Promise<void> | null = null;

  constructor(path: string, options: WriterLockOptions = {}) {
    this.#path = path;
    this.#staleMs = options.staleMs ?? 30_000;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
  }

  /**
   * This hold's identity while the lock is held (kept across `releaseSoon`/`acquire` without a
   * new file), else null: the same value twice means no other process could write in between.
   */
  get holding(): string | null {
    return this.#token;
  }

  async acquire(): Promise<void> {
    // Still held from the last batch (see `releaseSoon`): no new file.
    if (this.#lingering !== null) {
      clearTimeout(this.#lingering);
      this.#lingering = null;
      if (this.#token !== null) return;
    }
    // Our own file still being removed: not someone else's lock to wait out.
    await this.#releasing;
    const deadline = Date.now() + this.#timeoutMs;
    let wait = 1;
    for (;;) {
      if (await this.#tryCreate()) return;
      await this.#breakIfStale();
      if (Date.now() > deadline) {
        throw new CardDeskError('AUDIT_UNAVAILABLE', `Another CardDesk process has held the audit log for more than ${this.#timeoutMs / 1000} s.`);
      }
      await new Promise((resolve) => setTimeout(resolve, wait));
      wait = Math.min(wait * 2, 20);
    }
  }

  /**
   * Releases after `delayMs` unless `acquire` is called first, in which case the lock is simply
   * kept: a writer appending batch after batch (one recorder awaiting each event) creates and
   * removes the lock file once, not once per batch. The directory changes of each create and
   * remove made every batch's fdatasync commit them too, which cost more than the sync itself.
   * Held at most `MAX_LINGER_HOLD_MS` in a row (far below the stale time), then released at once,
   * so other processes get their turn.
   */
  releaseSoon(delayMs = LINGER_MS): void {
    if (this.#token === null) return;
    if (this.#lingering !== null) clearTimeout(this.#lingering);
    this.#lingering = null;
    if (Date.now() - this.#acquiredAt >= MAX_LINGER_HOLD_MS) {
      this.#releaseQuietly();
      return;
    }
    this.#lingering = setTimeout(() => {
      this.#lingering = null;
      this.#releaseQuietly();
    }, delayMs);
    this.#lingering.unref();
  }

  /**
   * Lets go of the lock. The holder forgets it at once (an `acquire` from now on takes the file
   * anew, waiting while it is still there); resolves once the file is removed.
   */
  async release(): Promise<void> {
    if (this.#lingering !== null) clearTimeout(this.#lingering);
    this.#lingering = null;
    const token = this.#token;
    if (token === null) return this.#releasing ?? undefined;
    this.#token = null;
    const removing = (async () => {
      // Only our own lock: if it was broken as stale meanwhile, someone else's is there now. (No
      // one breaks a live process's lock younger than the stale time, so then it is surely ours.)
      if (Date.now() - this.#acquiredAt < this.#staleMs / 2 || (await this.#read()) === token) await rm(this.#path, { force: true });
    })();
    const settled = removing.then(
      () => undefined,
      () => undefined,
    );
    this.#releasing = settled;
    try {
      await removing;
    } finally {
      if (this.#releasing === settled) this.#releasing = null;
    }
  }

  /** `release` from a timer: a failure to remove the file leaves a lock others break as stale. */
  #releaseQuietly(): void {
    void this.release().catch(() => undefined);
  }

  async #tryCreate(): Promise<boolean> {
    const token = `${process.pid} ${randomBytes(8).toString('hex')}`;
    let file: FileHandle;
    try {
      file = await open(this.#path, 'wx', 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw new CardDeskError('AUDIT_UNAVAILABLE', `The audit log cannot be locked: ${(error as NodeJS.ErrnoException).code ?? 'error'}.`, { cause: error });
    }
    try {
      await file.writeFile(token);
    } finally {
      await file.close();
    }
    this.#token = token;
    this.#acquiredAt = Date.now();
    return true;
  }

  async #read(): Promise<string | null> {
    try {
      return await readFile(this.#path, 'utf8');
    } catch {
      return null;
    }
  }

  async #breakIfStale(): Promise<void> {
    const holder = await this.#read();
    if (holder === null) return;
    const pid = Number(holder.split(' ')[0]);
    const modified = await stat(this.#path).then(
      (stats) => stats.mtimeMs,
      () => Date.now(),
    );
    const age = Date.now() - modified;
    // An empty file is a holder that died between creating and writing it.
    const stale = holder === '' ? age > 1000 : !Number.isInteger(pid) || !alive(pid) || age > this.#staleMs;
    if (!stale) return;
    const aside = `${this.#path}.${randomBytes(6).toString('hex')}.stale`;
    try {
      await rename(this.#path, aside);
    } catch {
      return; // someone else broke or released it first
    }
    if ((await readFile(aside, 'utf8')) !== holder) {
      // We moved a lock taken after we looked: put it back (unless yet another one exists).
      try {
        await link(aside, this.#path);
      } catch {
        // A third process holds a lock now; the one we moved is lost, as its holder will see on release.
      }
    }
    await rm(aside, { force: true });
  }
}
