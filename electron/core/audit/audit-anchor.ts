/**
 * The log's anchor outside the log: the vault keeps the last signed head it saw (record number
 * and hash, signed with the audit key) in its own document, updated with each signed checkpoint.
 * A log that no longer holds that record with that hash was deleted, emptied, cut back or
 * replaced (by an older copy, or a new log): verification and the integrity badge say so, and
 * the log records the loss as an event (once per anchor) and does not move the anchor on over
 * it until an administrator acknowledges the loss.
 *
 * What an anchor cannot show: the vault and the log rolled back together (both copied back from
 * the same earlier moment). An exported head (`carddesk audit head --export`), kept away from the
 * desk, is the witness for that: `carddesk audit verify --witness FILE` checks the log holds it.
 *
 * The exported head is printable text, one `Name: value` line each:
 *
 *   CardDesk audit head
 *   Record: 1234
 *   Hash: <64 hex digits>
 *   Time: 2026-05-01T10:00:00.000Z
 *   Key fingerprint: <SHA-256 of the key's SubjectPublicKeyInfo, hex>
 *   Signature: <base64 Ed25519 signature over the head message>
 */
import { CardDeskError } from '../../shared/errors';
import { verifyAuditSignature } from './audit-signer';
import { headSignedBytes, type SignedHead } from './head-file';

/** What the vault keeps about the log. */
export interface AuditAnchor {
  /** The last signed head the vault saw; null right after `vault init`, before the first checkpoint. */
  readonly head: SignedHead | null;
  /** The record number of the `audit.loss` event recorded for this anchor, once recorded. */
  readonly lossRecordedAt?: number;
}

/** The vault's side: where the anchor is kept, and the desk key it is checked with. */
export interface AuditAnchorKeeper {
  /** The anchor (undefined: the vault keeps none, made before anchors or removed) and the desk key. */
  read(): { readonly anchor: AuditAnchor | undefined; readonly publicKeySpki: Buffer | null };
  /** Stores a new anchor durably; resolves once it is on disk. */
  write(anchor: AuditAnchor): Promise<void>;
}

export type AnchorStanding =
  /** The log holds the anchored record (or there is nothing anchored yet). */
  | { readonly state: 'holds' }
  /** The log lacks the anchored record or holds another one there; `lastSeq` is where it ends. */
  | { readonly state: 'lost'; readonly head: SignedHead | null; readonly why: 'missing' | 'short' | 'replaced' | 'unanchored'; readonly lastSeq: number }
  /** The anchor's signature does not verify with the desk's key. */
  | { readonly state: 'forged'; readonly head: SignedHead };

/**
 * Compares the log (its last record number, and the hash of any record it holds) with a signed
 * head kept outside it. `initialised`: the vault has a passphrase (so a log of its own exists).
 */
export async function anchorStanding(
  anchor: AuditAnchor | undefined,
  publicKeySpki: Buffer | null,
  lastSeq: number,
  hashAt: (seq: number) => Promise<string | null>,
): Promise<AnchorStanding> {
  if (anchor === undefined) {
    // No anchor kept: an older vault (adopts one at its next unlock), unless the log is gone too.
    return lastSeq === 0 && publicKeySpki !== null ? { state: 'lost', head: null, why: 'unanchored', lastSeq } : { state: 'holds' };
  }
  const head = anchor.head;
  if (head === null) return { state: 'holds' };
  if (publicKeySpki === null || !verifyAuditSignature(publicKeySpki, headSignedBytes(head), Buffer.from(head.signature, 'base64'))) return { state: 'forged', head };
  if (lastSeq === 0) return { state: 'lost', head, why: 'missing', lastSeq };
  if (lastSeq < head.seq) return { state: 'lost', head, why: 'short', lastSeq };
  return (await hashAt(head.seq)) === head.hash ? { state: 'holds' } : { state: 'lost', head, why: 'replaced', lastSeq };
}

/** In English, for the CLI, the log and the loss event; the screen words it from the fields. */
export function lossMessage(standing: Extract<AnchorStanding, { state: 'lost' }>, source: 'vault' | 'witness'): string {
  const whose = source === 'vault' ? "the vault's anchor" : 'the witness head';
  const { head, why, lastSeq } = standing;
  if (head === null) return 'The audit log is missing or empty, and the vault keeps no anchor for it: the log was lost.';
  const named = `record ${head.seq} (hash ${head.hash.slice(0, 16)}…, signed ${head.time})`;
  switch (why) {
    case 'missing':
      return `The audit log is missing or empty, but ${whose} says it reached ${named}: the log was deleted or emptied.`;
    case 'short':
      return `The audit log ends at record ${lastSeq}, but ${whose} says it reached ${named}: it was cut back or replaced by an older copy.`;
    default:
      return `The audit log's record ${head.seq} is not the one ${whose} names (${named}): the log was replaced (an older copy, or a new log).`;
  }
}

/** The printable exported head (see the top of this file). */
export function formatWitness(head: SignedHead): string {
  return [
    'CardDesk audit head',
    `Record: ${head.seq}`,
    `Hash: ${head.hash}`,
    `Time: ${head.time}`,
    `Key fingerprint: ${head.keyId}`,
    `Signature: ${head.signature}`,
    '',
    'Keep this away from the desk. `carddesk audit verify --witness FILE` checks that the log still holds this record.',
    '',
  ].join('\n');
}

/** Reads an exported head; a clear error when it is not one. */
export function parseWitness(text: string): SignedHead {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) fields.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const seq = Number(fields.get('record'));
  const hash = (fields.get('hash') ?? '').toLowerCase();
  const time = fields.get('time') ?? '';
  const keyId = (fields.get('key fingerprint') ?? '').replace(/[:\s]/g, '').toLowerCase();
  const signature = fields.get('signature') ?? '';
  if (!text.startsWith('CardDesk audit head') || !Number.isSafeInteger(seq) || seq < 1 || !/^[0-9a-f]{64}$/.test(hash) || Number.isNaN(Date.parse(time)) || !/^[0-9a-f]{64}$/.test(keyId) || !/^[A-Za-z0-9+/]+=*$/.test(signature)) {
    throw new CardDeskError('MALFORMED_INPUT', 'The witness file is not an exported CardDesk audit head (carddesk audit head --export).');
  }
  return { seq, hash, time, keyId, signature };
}
