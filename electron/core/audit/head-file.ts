/**
 * The signed head (`audit/head.json`): the sequence number and hash of the log's last record,
 * signed with the audit key and rewritten after every batch. It anchors the end of the chain, so
 * records cut off the end of the log (after the last checkpoint, or whole last segments) are
 * detected. It is written after the batch is on disk, so it never claims more than the log holds.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
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

export function headPath(dir: string): string {
  return join(dir, 'head.json');
}

export type HeadRead = { readonly state: 'missing' } | { readonly state: 'unreadable' } | { readonly state: 'present'; readonly head: SignedHead };

export function readHead(dir: string): HeadRead {
  let text: string;
  try {
    text = readFileSync(headPath(dir), 'utf8');
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

/**
 * Replaces the head with a new signed one (temporary file, then rename). Not fsynced: after a
 * machine crash it may be one batch behind the log, which only weakens truncation detection for
 * that batch; the next batch writes it again.
 */
export async function writeHead(dir: string, signer: AuditSigner, seq: number, hash: string, time: string): Promise<void> {
  const signature = (await signer.sign(headMessage(seq, hash, time))).toString('base64');
  const head: SignedHead = { seq, hash, time, keyId: signer.keyId, signature };
  const temporary = `${headPath(dir)}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(head)}\n`);
  renameSync(temporary, headPath(dir));
}
