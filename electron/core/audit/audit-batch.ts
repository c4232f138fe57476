/**
 * One batch's records, before they are written: the events chained after the log's end, with a
 * key record when the signer's key is new to the log and signed checkpoints where due, grouped by
 * the segment each goes to (a new segment starts once the current one would grow past its size).
 */
import { checkpointMessage, encodeRecord, type AuditRecord, type EventRecord } from './audit-record';
import type { AuditSigner } from './audit-signer';
import type { EventFields } from './event-input';
import type { LogTail } from './log-tail';
import { segmentName } from './segment-files';

export interface SegmentWrite {
  readonly segment: string;
  readonly lines: string[];
  /** The batch's events in this segment, and where each line is in it (for the index). */
  readonly events: { readonly record: EventRecord; readonly offset: number; readonly length: number }[];
}

export interface PlannedBatch {
  readonly writes: readonly SegmentWrite[];
  /** Where the log ends once the batch is written. */
  readonly tail: LogTail;
  /** The batch ends in, or holds, a signed checkpoint. */
  readonly signed: boolean;
}

export interface BatchOptions {
  readonly signer: AuditSigner | null;
  readonly checkpointEvery: number;
  readonly segmentBytes: number;
  readonly now: () => number;
  /** End the batch with a signed checkpoint (when there is a signer and something to sign). */
  readonly checkpoint: boolean;
}

export async function planBatch(tail: LogTail, events: readonly EventFields[], options: BatchOptions): Promise<PlannedBatch> {
  const { signer, checkpointEvery, segmentBytes } = options;
  let { seq, hash, anchorSeq, keyId, timeMs } = tail;
  // UTC, never earlier than the record before (a clock set back does not reorder the log).
  const stamp = (): string => new Date((timeMs = Math.max(options.now(), timeMs))).toISOString();
  const writes: SegmentWrite[] = [];
  let segment = tail.segment;
  let size = tail.size;
  const push = (record: AuditRecord): void => {
    const encoded = encodeRecord(record);
    const length = Buffer.byteLength(encoded.line);
    if (segment === null || (size > 0 && size + length > segmentBytes)) {
      segment = segmentName(record.seq);
      size = 0;
    }
    let group = writes.at(-1);
    if (group?.segment !== segment) {
      group = { segment, lines: [], events: [] };
      writes.push(group);
    }
    group.lines.push(encoded.line);
    if (record.type === 'event') group.events.push({ record, offset: size, length });
    size += length;
    seq = record.seq;
    hash = encoded.hash;
  };
  let signed = false;
  const sign = async (by: AuditSigner): Promise<void> => {
    const time = stamp();
    const signature = (await by.sign(checkpointMessage(seq + 1, hash, time))).toString('base64');
    push({ seq: seq + 1, time, type: 'checkpoint', prev: hash, keyId: by.keyId, signature });
    anchorSeq = seq;
    signed = true;
  };

  let newKey = false;
  if (signer !== null && keyId !== signer.keyId) {
    const publicKey = signer.publicKeySpki.toString('base64');
    push({ seq: seq + 1, time: stamp(), type: 'key', prev: hash, keyId: signer.keyId, algorithm: signer.algorithm, publicKey });
    anchorSeq = seq;
    keyId = signer.keyId;
    newKey = true;
  }
  for (const fields of events) {
    if (signer !== null && seq - anchorSeq >= checkpointEvery) await sign(signer);
    push({ ...fields, seq: seq + 1, time: stamp(), prev: hash });
  }
  // Unsigned records (written while the vault was locked) are in `seq > anchorSeq` too.
  if (signer !== null && options.checkpoint && (seq > anchorSeq || newKey)) await sign(signer);
  return { writes, tail: { seq, hash, timeMs, segment, size, anchorSeq, keyId }, signed };
}
