/**
 * The signed head (`audit/head.json`): the sequence number and hash of the log's last record,
 * signed with the audit key and rewritten after every batch. It anchors the end of the chain, so
 * records cut off the end of the log (after the last checkpoint, or whole last segments) are
 * detected. It is written after the batch is on disk, so it never claims more than the log holds.
 *
 * It is one 512-byte block (JSON padded with spaces) overwritten in place: a single aligned
 * sector write, which a crash leaves either old or new, and cheap enough for every batch. It is
 * not fsynced: after a machine crash it may be one batch behind the log, which only weakens
 * truncation detection for that batch.
 */
import { constants } from 'node:fs';
import { open, readFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { headMessage } from './audit-record';
import type { AuditSigner } from './audit-signer';

export interface SignedHead {
  readonly seq: number;
  readonly hash: string;
  readonly time: string;
  readonly keyId: string;
  /** Base64 signature over `headMessage(seq, hash, time)`. */
  readonly signature: string;
}

const BLOCK = 512;

export function headPath(dir: string): string {
  return join(dir, 'head.json');
}

export type HeadRead = { readonly state: 'missing' } | { readonly state: 'unreadable' } | { readonly state: 'present'; readonly head: SignedHead };

export async function readHead(dir: string): Promise<HeadRead> {
  let text: string;
  try {
    text = await readFile(headPath(dir), 'utf8');
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? { state: 'missing' } : { state: 'unreadable' };
  }
  try {
    const value = JSON.parse(text) as Partial<SignedHead>;
    if (!Number.isSafeInteger(value.seq) || typeof value.hash !== 'string' || typeof value.time !== 'string' || typeof value.keyId !== 'string' || typeof value.signature !== 'string') {
      return { state: 'unreadable' };
    }
    return { state: 'present', head: value as SignedHead };
  } catch {
    return { state: 'unreadable' };
  }
}

export function headSignedBytes(head: SignedHead): Buffer {
  return headMessage(head.seq, head.hash, head.time);
}

/** Keeps the head file open and overwrites its one block after each batch. */
export class HeadWriter {
  readonly #dir: string;
  #file: FileHandle | null = null;

  constructor(dir: string) {
    this.#dir = dir;
  }

  /** The head signed, not yet written (the log signs it while its batch is being synced). */
  static async sign(signer: AuditSigner, seq: number, hash: string, time: string): Promise<SignedHead> {
    const signature = (await signer.sign(headMessage(seq, hash, time))).toString('base64');
    return { seq, hash, time, keyId: signer.keyId, signature };
  }

  /** Overwrites the head's block with a signed head. */
  async put(head: SignedHead): Promise<void> {
    const text = JSON.stringify(head);
    if (text.length >= BLOCK) throw new Error('The signed head does not fit its block.');
    const block = Buffer.alloc(BLOCK, ' ');
    block.write(text);
    block[BLOCK - 1] = 0x0a;
    if (this.#file === null) {
      const file = await open(headPath(this.#dir), constants.O_RDWR | constants.O_CREAT, 0o600);
      try {
        await file.truncate(BLOCK);
      } catch (error) {
        await file.close();
        throw error;
      }
      this.#file = file;
    }
    // One positioned write of the whole block (a short write of 512 bytes does not happen on a local file).
    const { bytesWritten } = await this.#file.write(block, 0, BLOCK, 0);
    if (bytesWritten !== BLOCK) throw new Error('The signed head was written short.');
  }

  async close(): Promise<void> {
    const file = this.#file;
    this.#file = null;
    await file?.close();
  }
}
