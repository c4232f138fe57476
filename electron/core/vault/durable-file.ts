/**
 * Writes that survive a crash at any instant. A file is replaced by writing a temporary file
 * beside it, fsyncing it, renaming it over the old one and fsyncing the folder, so a reader sees
 * either the old or the new content, never a mix; the promise resolves only when the new content
 * is on disk, which is what "acknowledged" means everywhere in the vault.
 */
import { closeSync, fdatasyncSync, fsyncSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

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

export function ensureDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
}

function writeAll(fd: number, data: Buffer): void {
  let offset = 0;
  while (offset < data.length) offset += writeSync(fd, data, offset, data.length - offset);
}

/** Replaces `path` with `data` atomically and durably (tmp, fsync, rename, fsync folder). */
export function writeFileDurable(path: string, data: string | Buffer): void {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.tmp`);
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeAll(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    unlinkSync(tmp);
    throw error;
  }
  closeSync(fd);
  renameSync(tmp, path);
  fsyncDir(dir);
}

/** Appends to an open file and waits until the bytes are on disk. */
export function appendDurable(fd: number, data: Buffer): void {
  writeAll(fd, data);
  // fdatasync also flushes the new file size, which is all a reader needs.
  fdatasyncSync(fd);
}
