/**
 * Every file CardDesk writes goes through here: the data folder's own files, and the files a user
 * names with `--out`/`--output` (issue 11 §6).
 *
 * A file is replaced by writing a temporary file beside it (created exclusively, so a planted link
 * at that name is never followed), fsyncing it, renaming it over the old one and fsyncing the folder:
 * a reader sees the old or the new content, never a mix, and a crash leaves the file complete or
 * absent. Inside the data folder everything is private to the user (folders 0700, files 0600),
 * whichever process (app, browser mode, CLI) creates it first and whatever the umask.
 */
import { randomBytes } from 'node:crypto';
import { close, createWriteStream, fchmod, fdatasync, fsync, open as openCallback, write, type WriteStream } from 'node:fs';
import { chmod, link, lstat, mkdir, open, rename, rm, unlink, type FileHandle } from 'node:fs/promises';
import {
  chmodSync,
  closeSync,
  fchmodSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  unlinkSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { promisify } from 'node:util';
import { CardDeskError } from '../../shared/errors';

/** Folders in the data folder. */
export const PRIVATE_DIR_MODE = 0o700;
/** Files in the data folder, and files a user writes that hold holder data or secrets. */
export const PRIVATE_FILE_MODE = 0o600;
/** Artefacts meant for publishing: CRLs, CA certificates. */
export const PUBLIC_FILE_MODE = 0o644;

/** Flushes a folder's entries (a created, renamed or removed name) to disk. */
export function fsyncDir(dir: string): void {
  let fd: number | null = null;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch (error) {
    // Windows cannot open a folder for fsync; NTFS journals renames itself.
    if (process.platform !== 'win32') throw error;
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

const ownedByUs = (stat: Stats): boolean => process.getuid === undefined || stat.uid === process.getuid();

/** Narrows a folder or file we own to `mode` when it is looser (made by an older CardDesk, or under a loose umask). */
function tighten(path: string, stat: Stats, mode: number): void {
  if (process.platform === 'win32' || !ownedByUs(stat)) return;
  if ((stat.mode & 0o777 & ~mode) !== 0) chmodSync(path, mode);
}

/** Creates `dir` (and missing parents) as a private folder; an existing one of ours is narrowed to 0700. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const stat = lstatSync(dir);
  if (!stat.isDirectory()) throw new CardDeskError('UNSAFE_PATH', `${dir} is not a folder, so CardDesk cannot keep its files there.`);
  tighten(dir, stat, PRIVATE_DIR_MODE);
}

/** `ensurePrivateDir` without holding the event loop: for folders made while CardDesk serves requests. */
export async function ensurePrivateDirAsync(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const stat = await lstat(dir);
  if (!stat.isDirectory()) throw new CardDeskError('UNSAFE_PATH', `${dir} is not a folder, so CardDesk cannot keep its files there.`);
  if (process.platform !== 'win32' && ownedByUs(stat) && (stat.mode & 0o777 & ~PRIVATE_DIR_MODE) !== 0) await chmod(dir, PRIVATE_DIR_MODE);
}

/**
 * Makes the data folder private before anything is written into it, and narrows what an earlier
 * run left readable by others (folders to 0700, files to 0600). Links are left alone, never followed.
 */
export function prepareDataDir(dataDir: string): void {
  ensurePrivateDir(dataDir);
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isSymbolicLink()) continue;
      const stat = lstatSync(path);
      if (entry.isDirectory()) {
        tighten(path, stat, PRIVATE_DIR_MODE);
        walk(path);
      } else if (entry.isFile()) tighten(path, stat, PRIVATE_FILE_MODE);
    }
  };
  walk(dataDir);
}

function writeAll(fd: number, data: Buffer): void {
  let offset = 0;
  while (offset < data.length) offset += writeSync(fd, data, offset, data.length - offset);
}

function temporaryBeside(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/** Opens a new temporary file with exactly `mode` (not reduced by the umask, never through a link). */
function openTemporary(path: string, mode: number): { tmp: string; fd: number } {
  const tmp = temporaryBeside(path);
  const fd = openSync(tmp, 'wx', mode);
  try {
    if (process.platform !== 'win32') fchmodSync(fd, mode);
  } catch (error) {
    closeSync(fd);
    unlinkSync(tmp);
    throw error;
  }
  return { tmp, fd };
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

/** Puts the finished temporary file in place over the old one, and makes the rename durable. */
function putInPlace(tmp: string, path: string): void {
  renameSync(tmp, path);
  fsyncDir(dirname(path));
}

export interface WriteOptions {
  /** The new file's mode; PRIVATE_FILE_MODE unless it is a public artefact. */
  readonly mode?: number;
  /** fsync the content before the rename (default). Derived data that is rebuilt when torn may skip it. */
  readonly sync?: boolean;
}

/** Replaces `path` with `data` atomically and durably (tmp, fsync, rename, fsync folder). For the data folder's own files. */
export function writeFileDurable(path: string, data: string | Buffer, options: WriteOptions = {}): void {
  const { tmp, fd } = openTemporary(path, options.mode ?? PRIVATE_FILE_MODE);
  try {
    writeAll(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    if (options.sync !== false) fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    removeQuietly(tmp);
    throw error;
  }
  closeSync(fd);
  putInPlace(tmp, path);
}

/** `fsyncDir` without holding the event loop. */
export async function fsyncDirDurably(dir: string): Promise<void> {
  let handle = null;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (error) {
    if (process.platform !== 'win32') throw error;
  } finally {
    await handle?.close();
  }
}

/** `writeFileDurable` without holding the event loop: for files rewritten while CardDesk serves requests. */
export async function writeFileDurably(path: string, data: string | Buffer, options: WriteOptions = {}): Promise<void> {
  const mode = options.mode ?? PRIVATE_FILE_MODE;
  const tmp = temporaryBeside(path);
  const handle = await open(tmp, 'wx', mode);
  try {
    if (process.platform !== 'win32') await handle.chmod(mode);
    await handle.writeFile(data);
    if (options.sync !== false) await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(tmp, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
  await fsyncDirDurably(dirname(path));
}

const writeAt = promisify(write);
const openFd = promisify(openCallback);
const fchmodFd = promisify(fchmod);
const fsyncFd = promisify(fsync);
const closeFd = promisify(close);
const flushData = promisify(fdatasync);

/**
 * Appends to an open file and resolves once the bytes are on disk (fdatasync also flushes the new
 * size, which is all a reader needs), without holding the event loop: both run in the thread pool.
 */
export async function appendDurably(fd: number, data: Buffer): Promise<void> {
  let offset = 0;
  while (offset < data.length) offset += (await writeAt(fd, data, offset, data.length - offset)).bytesWritten;
  await flushData(fd);
}

function fileExists(path: string): CardDeskError {
  return new CardDeskError('FILE_EXISTS', `${path} already exists; nothing was written. Choose another name, or replace it with --force.`);
}

export interface UserFileOptions {
  /** PRIVATE_FILE_MODE for holder data and secrets, PUBLIC_FILE_MODE for CRLs and CA certificates. */
  readonly mode: number;
  /** Replace an existing regular file (`--force`, or the user said yes at the terminal). */
  readonly force?: boolean;
}

async function lstatOrNullAsync(path: string): Promise<Stats | null> {
  try {
    return await lstat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/**
 * Checks a path the user named for output: a link is refused (it may point anywhere), as is
 * anything but a regular file; an existing file is refused unless `force`. Returns whether it exists.
 */
export async function checkUserTarget(path: string, force = false): Promise<boolean> {
  const stat = await lstatOrNullAsync(path);
  if (stat === null) return false;
  if (stat.isSymbolicLink()) throw new CardDeskError('UNSAFE_PATH', `${path} is a symbolic link; CardDesk does not write through links. Name the real file instead.`);
  if (!stat.isFile()) throw new CardDeskError('UNSAFE_PATH', `${path} is not a regular file, so CardDesk will not write over it.`);
  if (!force) throw fileExists(path);
  return true;
}

/** Opens a new temporary file beside `path` with exactly `mode` (created exclusively, never through a link). */
async function openTemporaryAsync(path: string, mode: number): Promise<{ tmp: string; handle: FileHandle }> {
  const tmp = temporaryBeside(path);
  const handle = await open(tmp, 'wx', mode);
  try {
    if (process.platform !== 'win32') await handle.chmod(mode);
  } catch (error) {
    await handle.close();
    await rm(tmp, { force: true });
    throw error;
  }
  return { tmp, handle };
}

/** `putInPlace` without holding the event loop. */
async function putInPlaceAsync(tmp: string, path: string, replace: boolean): Promise<void> {
  if (replace) {
    await rename(tmp, path);
  } else {
    // link() fails when the name exists, so a file that appeared since the check is never replaced.
    try {
      await link(tmp, path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') {
        await rm(tmp, { force: true });
        throw fileExists(path);
      }
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV' && code !== 'ENOSYS') throw error;
      // A file system without hard links (FAT, some network shares): check, then rename.
      if ((await lstatOrNullAsync(path)) !== null) {
        await rm(tmp, { force: true });
        throw fileExists(path);
      }
      await rename(tmp, path);
      await fsyncDirDurably(dirname(path));
      return;
    }
    await unlink(tmp);
  }
  await fsyncDirDurably(dirname(path));
}

/** Writes a file the user named (`--out`): never through a link, complete or absent, replacing only with `force`. */
export async function writeUserFile(path: string, data: string | Buffer, options: UserFileOptions): Promise<void> {
  await checkUserTarget(path, options.force);
  const { tmp, handle } = await openTemporaryAsync(path, options.mode);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(tmp, { force: true });
    throw error;
  }
  await handle.close();
  await putInPlaceAsync(tmp, path, options.force === true);
}

/**
 * Streams into a file the user named: `produce` writes to a temporary file, which takes the
 * file's name only once `produce` has finished; if it fails (or the process dies) no file looks
 * complete. The same checks as `writeUserFile`. `beforeRename` runs once the temporary file is
 * complete and on disk, just before it takes the name (an export records its event there, so a
 * file under the name always has its event); if it fails, the file never takes the name.
 */
/** Destroys a stream and resolves once it has closed its file descriptor. */
function destroyed(out: WriteStream): Promise<void> {
  if (out.closed) return Promise.resolve();
  return new Promise((done) => {
    out.once('close', () => done());
    out.destroy();
  });
}

export async function writeUserFileStreaming(
  path: string,
  options: UserFileOptions,
  produce: (out: Writable) => Promise<void>,
  beforeRename: () => Promise<void> = () => Promise.resolve(),
): Promise<void> {
  await checkUserTarget(path, options.force);
  const tmp = temporaryBeside(path);
  const fd = await openFd(tmp, 'wx', options.mode);
  const out = createWriteStream('', { fd, autoClose: false });
  try {
    if (process.platform !== 'win32') await fchmodFd(fd, options.mode);
    await produce(out);
    out.end();
    await finished(out);
    await fsyncFd(fd);
  } catch (error) {
    // destroy() closes the descriptor itself once a pending write is done; closing it here as
    // well would race that close (EBADF, or closing a descriptor already reused elsewhere).
    await destroyed(out);
    await rm(tmp, { force: true });
    throw error;
  }
  await closeFd(fd);
  try {
    await beforeRename();
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
  await putInPlaceAsync(tmp, path, options.force === true);
}
