/**
 * The signed head as the log's write path uses it (the file itself is head-file.ts): checked
 * against the end of the log whenever the log is read from disk, signed while a batch is being
 * synced and written once the batch is on disk (so it never claims more than the log holds), and
 * checked against the desk's key and the log before it is exported to an outside witness.
 */
import { CardDeskError } from '../../shared/errors';
import type { Logger } from '../log/logger';
import { verifyAuditSignature, type AuditSigner } from './audit-signer';
import { HeadWriter, headSignedBytes, readHead, type SignedHead } from './head-file';
import type { LogTail } from './log-tail';

/** What the head says about the end of the log just read: problems to record, and where appends go on. */
export interface HeadCheck {
  readonly problems: readonly { readonly reason: string; readonly details: Record<string, string | number> }[];
  /** The tail appends continue from (after the head when records are missing from the end). */
  readonly start: LogTail;
}

/** The desk's audit key as the vault names it, for checking a head before export. */
export interface DeskKey {
  readonly deskKeyId: string | null;
  readonly publicKeySpki: Buffer | null;
}

function signatureHolds(spki: Buffer, head: SignedHead): boolean {
  return verifyAuditSignature(spki, headSignedBytes(head), Buffer.from(head.signature, 'base64'));
}

export class AuditHead {
  readonly #dir: string;
  readonly #writer: HeadWriter;
  readonly #now: () => number;
  readonly #log: Logger | undefined;

  constructor(dir: string, now: () => number, log?: Logger) {
    this.#dir = dir;
    this.#writer = new HeadWriter(dir);
    this.#now = now;
    this.#log = log;
  }

  /** Compares the head on disk with the end of the log read from disk (`signer`: the key at hand, if any). */
  async check(tail: LogTail, signer: AuditSigner | null): Promise<HeadCheck> {
    const read = await readHead(this.#dir);
    if (read.state !== 'present') {
      // A log never signed (no key record: the vault was never unlocked with it) has no head yet.
      const problems = tail.seq > 0 && tail.keyId !== null ? [{ reason: `the signed head was ${read.state}: records cut off the end before this point cannot be ruled out`, details: { lastSeq: tail.seq } }] : [];
      return { problems, start: tail };
    }
    const { head } = read;
    if (signer !== null && head.keyId === signer.keyId && !signatureHolds(signer.publicKeySpki, head)) {
      return { problems: [{ reason: 'the signed head does not verify', details: { lastSeq: tail.seq } }], start: tail };
    }
    if (head.seq > tail.seq) {
      return {
        problems: [{ reason: `records ${tail.seq + 1} to ${head.seq} are missing from the end of the log`, details: { from: tail.seq + 1, to: head.seq } }],
        // Continue after the signed head, so the gap stays in the chain for verification to show.
        start: { ...tail, seq: head.seq, hash: head.hash },
      };
    }
    if (head.seq === tail.seq && head.hash !== tail.hash) return { problems: [{ reason: `the last record (${tail.seq}) differs from the signed head`, details: { seq: tail.seq } }], start: tail };
    return { problems: [], start: tail };
  }

  /**
   * Starts signing the head that names record `seq` (called while its batch is being synced);
   * null without a key: the head then stays where the last signature left it.
   */
  sign(signer: AuditSigner | null, seq: number, hash: string): Promise<SignedHead> | null {
    if (signer === null) return null;
    const signed = HeadWriter.sign(signer, seq, hash, new Date(this.#now()).toISOString());
    // Awaited by `write`, unless the batch's write failed first.
    signed.catch(() => undefined);
    return signed;
  }

  /**
   * Writes a head from `sign` once its batch is on disk. A failure is logged and gives null: the
   * records are durable, only truncation detection for this batch is weaker.
   */
  async write(signing: Promise<SignedHead> | null): Promise<SignedHead | null> {
    if (signing === null) return null;
    try {
      const head = await signing;
      await this.#writer.put(head);
      return head;
    } catch (error) {
      this.#log?.error('the audit head could not be written', { error });
      return null;
    }
  }

  /**
   * The head on disk for export: signed by the desk's key and naming a record the log holds
   * (`hashAt`: the hash of a record as the log holds it). INVALID_STATE otherwise.
   */
  async forExport(desk: DeskKey | null, hashAt: (seq: number) => Promise<string | null>): Promise<SignedHead> {
    const read = await readHead(this.#dir);
    if (read.state !== 'present') throw new CardDeskError('INVALID_STATE', `The audit log's signed head is ${read.state}: unlock the vault once, so the log signs its records, then export it.`);
    const { head } = read;
    if (desk === null || desk.publicKeySpki === null || desk.deskKeyId !== head.keyId) throw new CardDeskError('INVALID_STATE', "The audit log's signed head is not signed by this desk's audit key: run carddesk audit verify.");
    if (!signatureHolds(desk.publicKeySpki, head) || (await hashAt(head.seq)) !== head.hash) {
      throw new CardDeskError('INVALID_STATE', "The audit log's signed head does not match the log: run carddesk audit verify.");
    }
    return head;
  }

  close(): Promise<void> {
    return this.#writer.close();
  }
}
