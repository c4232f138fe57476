/**
 * Checks the whole audit log on disk and says where it is not as written:
 *
 * - every line's bytes against its own hash            → `changed` (at that line)
 * - file order against sequence order                  → `reordered` (at each misplaced line)
 * - sequence numbers without gaps or repeats           → `removed` / `duplicated`
 * - each record's `prev` against the record before it  → `changed` (the earlier record, rehashed)
 * - checkpoint signatures with the key the log declares → `signature`
 * - the signed head against the log's end               → `truncated`, `changed`, `signature`
 * - the head missing, or the log signed by another key than the desk's → `anchor`
 * - damage the log recorded itself when it opened        → `recorded`
 * - the vault's anchor (or an exported witness head) against the log → `lost` (the log was
 *   deleted, emptied, cut back or replaced), `anchor` (the anchor does not verify)
 *
 * Records after the last verified signature are counted as `unsigned`, not as a problem: the
 * audit key is in the vault, and while it is locked the log chains records without signing
 * them (see audit-log.ts); the next unlock signs them. Their chain is checked like any other.
 *
 * Someone who edits records and recomputes every hash after them still breaks the first
 * checkpoint (or the head) after the edit, unless they hold the audit key. What cannot be seen
 * from the folder alone: a log cut back AND its head replaced by an older copy of itself (a
 * rollback to an earlier state), and anything done by someone holding the audit key. The
 * vault's anchor (see audit-anchor.ts) catches that rollback too, unless the vault is rolled
 * back with it; an exported witness head catches even that.
 */
import { stat } from 'node:fs/promises';
import { anchorStanding, lossMessage, type AuditAnchor } from './audit-anchor';
import { readHead, headSignedBytes, type SignedHead } from './head-file';
import { checkpointMessage, decodeLine, GENESIS_HASH } from './audit-record';
import { verifyAuditSignature } from './audit-signer';
import { bundledAuditWorkers, SegmentCheckPool, type AuditWorkerStarter } from './audit-workers';
import type { SegmentCheck } from './segment-check';
import { listSegments } from './segment-files';
import type { AuditProblem, AuditProblemKind, AuditVerifyReport } from '../../shared/schemas/audit';

const MAX_REPORTED = 100;

function span(from: number, to: number): string {
  return from === to ? `Record ${from} is` : `Records ${from} to ${to} are`;
}

/** Per-line facts in typed arrays: a million lines cost tens of megabytes, not hundreds. */
class Lines {
  count = 0;
  seq = new Float64Array(1024);
  ok = new Uint8Array(1024);
  segment = new Uint16Array(1024);
  line = new Uint32Array(1024);
  hash = new Uint8Array(1024 * 32);
  prev = new Uint8Array(1024 * 32);

  push(seq: number, ok: boolean, segment: number, line: number, hash: string | null, prev: string | null): number {
    if (this.count === this.seq.length) this.#grow();
    const p = this.count;
    this.seq[p] = seq;
    this.ok[p] = ok ? 1 : 0;
    this.segment[p] = segment;
    this.line[p] = line;
    if (hash !== null) this.hash.set(Buffer.from(hash, 'hex'), p * 32);
    if (prev !== null) this.prev.set(Buffer.from(prev, 'hex'), p * 32);
    this.count = p + 1;
    return p;
  }

  /** Lines `from` to `to` (exclusive) of a segment's check, all taken by the shortcut: copied at once. */
  pushChecked(check: SegmentCheck, from: number, to: number, segment: number): void {
    const n = to - from;
    while (this.count + n > this.seq.length) this.#grow();
    const p = this.count;
    this.seq.set(check.seq.subarray(from, to), p);
    this.ok.fill(1, p, p + n);
    this.segment.fill(segment, p, p + n);
    for (let i = 0; i < n; i += 1) this.line[p + i] = from + i + 1;
    this.hash.set(check.hash.subarray(from * 32, to * 32), p * 32);
    this.prev.set(check.prev.subarray(from * 32, to * 32), p * 32);
    this.count = p + n;
  }

  #grow(): void {
    const size = this.seq.length * 2;
    const grow = <T extends Float64Array | Uint8Array | Uint16Array | Uint32Array>(old: T, make: (n: number) => T, n: number): T => {
      const next = make(n);
      next.set(old);
      return next;
    };
    this.seq = grow(this.seq, (n) => new Float64Array(n), size);
    this.ok = grow(this.ok, (n) => new Uint8Array(n), size);
    this.segment = grow(this.segment, (n) => new Uint16Array(n), size);
    this.line = grow(this.line, (n) => new Uint32Array(n), size);
    this.hash = grow(this.hash, (n) => new Uint8Array(n), size * 32);
    this.prev = grow(this.prev, (n) => new Uint8Array(n), size * 32);
  }

  links(p: number, q: number): boolean {
    const { hash, prev } = this;
    for (let i = 0; i < 32; i += 1) if (prev[q * 32 + i] !== hash[p * 32 + i]) return false;
    return true;
  }

  hashHex(p: number): string {
    return Buffer.from(this.hash.subarray(p * 32, p * 32 + 32)).toString('hex');
  }

  prevHex(p: number): string {
    return Buffer.from(this.prev.subarray(p * 32, p * 32 + 32)).toString('hex');
  }
}

interface Checkpoint {
  readonly p: number;
  readonly seq: number;
  readonly prev: string;
  readonly time: string;
  readonly keyId: string;
  readonly signature: string;
}

export interface VerifyOptions {
  readonly deskKeyId?: string | null;
  /** What the vault keeps about the log (undefined: not known here, nothing compared). */
  readonly vault?: { readonly anchor: AuditAnchor | undefined; readonly publicKeySpki: Buffer | null };
  /** An exported head kept outside the desk (`--witness`). */
  readonly witness?: SignedHead;
  /** Starts worker threads for the segments (default: the bundled worker; null: this thread only). */
  readonly workers?: AuditWorkerStarter | null;
}

export async function verifyAuditLog(dir: string, options: VerifyOptions = {}): Promise<AuditVerifyReport> {
  const started = performance.now();
  // The head first: it is written after the records it names, so the log read next holds them.
  const head = await readHead(dir);
  const segments = await listSegments(dir);
  const lines = new Lines();
  const found: { problem: AuditProblem; order: number }[] = [];
  const keys = new Map<string, { seq: number; spki: Buffer }>();
  let lastKey: { seq: number; keyId: string } | null = null;
  const checkpoints: Checkpoint[] = [];
  let events = 0;
  let unfinishedBytes = 0;

  const at = (p: number) => ({ segment: segments[lines.segment[p] ?? 0]?.name ?? null, line: lines.line[p] ?? null });
  const report = (kind: AuditProblemKind, where: { segment: string | null; line: number | null }, seq: number | null, toSeq: number | null, message: string, order: number): void => {
    found.push({ problem: { kind, segment: where.segment, line: where.line, seq, toSeq, message }, order });
  };
  const place = (p: number): string => {
    const where = at(p);
    return `line ${where.line} of ${where.segment}`;
  };

  // A changed line's own sequence number cannot be trusted: it is taken to hold the slot after
  // the line before it, so one changed line is one problem, not also a gap or a misplacement.
  let previousSeq = 0;
  const onSlowLine = (s: number, lineNumber: number, text: string): void => {
    const decoded = decodeLine(text);
    if (!decoded.ok || !decoded.hashMatches) {
      const p = lines.push(previousSeq + 1, false, s, lineNumber, decoded.ok ? decoded.hash : null, null);
      previousSeq += 1;
      report('changed', at(p), previousSeq, null, decoded.ok ? `The record at ${place(p)} was changed: its content no longer matches its hash.` : `${place(p)} cannot be read (${decoded.why}).`, p);
      return;
    }
    const { record } = decoded;
    previousSeq = record.seq;
    const p = lines.push(record.seq, true, s, lineNumber, decoded.hash, /^[0-9a-f]{64}$/.test(record.prev) ? record.prev : null);
    if (record.type === 'event') {
      events += 1;
      if (record.action === 'audit.repair' && record.outcome === 'failure' && record.actor.kind === 'system') {
        // After the chain problems found at the same line, which come from the same damage.
        report('recorded', at(p), record.seq, null, `At record ${record.seq} the log recorded damage it found: ${record.reason ?? 'no reason given'}.`, p + 0.5);
      }
    } else if (record.type === 'key') {
      keys.set(record.keyId, { seq: record.seq, spki: Buffer.from(record.publicKey, 'base64') });
      if (lastKey === null || record.seq > lastKey.seq) lastKey = { seq: record.seq, keyId: record.keyId };
    } else {
      checkpoints.push({ p, seq: record.seq, prev: record.prev, time: record.time, keyId: record.keyId, signature: record.signature });
    }
  };
  const takeChecked = (check: SegmentCheck, from: number, to: number, s: number): void => {
    if (to <= from) return;
    lines.pushChecked(check, from, to, s);
    previousSeq = check.seq[to - 1] ?? previousSeq;
    events += to - from;
  };
  // Segments are checked line by line on their own (segment-check.ts), several at once in worker
  // threads when there are any, and joined here in file order.
  const pool = new SegmentCheckPool(options.workers === undefined ? await bundledAuditWorkers() : options.workers);
  try {
    const sizes = await Promise.all(segments.map(async (segment) => (await stat(segment.path).catch(() => null))?.size ?? 0));
    const checks: Promise<SegmentCheck>[] = [];
    const ask = (s: number): void => {
      const segment = segments[s];
      if (segment === undefined) return;
      const check = pool.check(segment.path, sizes[s] ?? 0);
      // Awaited in order below; a failure ahead of that point is not left unhandled meanwhile.
      check.catch(() => undefined);
      checks[s] = check;
    };
    for (let s = 0; s < Math.min(pool.window, segments.length); s += 1) ask(s);
    for (let s = 0; s < segments.length; s += 1) {
      const check = await (checks[s] as Promise<SegmentCheck>);
      ask(s + pool.window);
      // Runs of intact events checked on their bytes (see event-line-check.ts) are copied at
      // once; the lines between them go through the full path.
      let from = 0;
      for (const { line, text } of check.slow) {
        takeChecked(check, from, line, s);
        onSlowLine(s, line + 1, text);
        from = line + 1;
      }
      takeChecked(check, from, check.lines, s);
      if (s === segments.length - 1) unfinishedBytes = check.size - check.end;
    }
  } finally {
    await pool.close();
  }

  // File order against sequence order: every line holding another record than the sorted
  // sequence puts there is out of place (a swap of two lines shows as exactly those two).
  const seqOf = (p: number): number => lines.seq[p] ?? 0;
  let order = Array.from({ length: lines.count }, (_, p) => p);
  if (order.some((p) => p > 0 && seqOf(p) < seqOf(p - 1))) {
    order = order.sort((a, b) => seqOf(a) - seqOf(b) || a - b);
    for (let p = 0; p < lines.count; p += 1) {
      const belongs = seqOf(order[p] ?? 0);
      if (seqOf(p) !== belongs) report('reordered', at(p), seqOf(p), null, `Record ${seqOf(p)} (${place(p)}) is out of order: record ${belongs} belongs there.`, p);
    }
  }

  // Sequence numbers without gaps or repeats, and each record linked to the one before.
  let before = -1;
  let expected = 1;
  for (const p of order) {
    const seq = lines.seq[p] ?? 0;
    if (before >= 0 && seq === lines.seq[before]) {
      report('duplicated', at(p), seq, null, `Record ${seq} appears again at ${place(p)}.`, p);
      continue;
    }
    if (seq > expected) {
      report('removed', at(p), expected, seq - 1, `${span(expected, seq - 1)} missing before ${place(p)}.`, p);
    } else if (lines.ok[p] === 1 && (before < 0 || lines.ok[before] === 1)) {
      const linked = before < 0 ? lines.prevHex(p) === GENESIS_HASH : lines.links(before, p);
      if (!linked && before >= 0) {
        report('changed', at(before), lines.seq[before] ?? null, null, `Record ${lines.seq[before]} (${place(before)}) was changed and its hash recomputed: record ${seq} no longer links to it.`, before);
      } else if (!linked) {
        report('changed', at(p), seq, null, `Record ${seq} (${place(p)}) does not start the chain.`, p);
      }
    }
    before = p;
    expected = seq + 1;
  }
  const maxSeq = before >= 0 ? (lines.seq[before] ?? 0) : 0;
  const bySeq = new Map<number, number>();
  if (head.state === 'present') for (const p of order) if (lines.seq[p] === head.head.seq) bySeq.set(head.head.seq, p);

  // Checkpoint signatures, each with a key declared before it.
  let signedThrough = 0;
  const keyFor = (keyId: string, seq: number): Buffer | null => {
    const key = keys.get(keyId);
    return key !== undefined && key.seq < seq ? key.spki : null;
  };
  let previousCheckpoint = 0;
  for (const checkpoint of [...checkpoints].sort((a, b) => a.seq - b.seq)) {
    const spki = keyFor(checkpoint.keyId, checkpoint.seq);
    if (spki === null) {
      report('signature', at(checkpoint.p), checkpoint.seq, null, `Checkpoint ${checkpoint.seq} (${place(checkpoint.p)}) is signed by a key the log does not declare before it.`, checkpoint.p);
    } else if (!verifyAuditSignature(spki, checkpointMessage(checkpoint.seq, checkpoint.prev, checkpoint.time), Buffer.from(checkpoint.signature, 'base64'))) {
      report(
        'signature',
        at(checkpoint.p),
        checkpoint.seq,
        null,
        `The signature of checkpoint ${checkpoint.seq} (${place(checkpoint.p)}) does not verify: records ${previousCheckpoint + 1} to ${checkpoint.seq - 1} were rewritten.`,
        checkpoint.p,
      );
    } else {
      signedThrough = Math.max(signedThrough, checkpoint.seq - 1);
    }
    previousCheckpoint = checkpoint.seq;
  }

  // The signed head anchors the end.
  // Records missing at the end would follow the last line there is.
  const endOfLog = lines.count === 0 ? { segment: segments[0]?.name ?? null, line: 1 } : { segment: at(lines.count - 1).segment, line: (lines.line[lines.count - 1] ?? 0) + 1 };
  const last = lines.count;
  const everSigned = keys.size > 0 || checkpoints.length > 0;
  if (head.state !== 'present') {
    // A log never signed (the vault has not been unlocked since it began) has no head yet.
    if (lines.count > 0 && (everSigned || head.state === 'unreadable')) report('anchor', endOfLog, null, null, `The signed head is ${head.state}: records cut off the end of the log cannot be detected.`, last);
  } else {
    const spki = keys.get(head.head.keyId)?.spki ?? null;
    if (spki === null || !verifyAuditSignature(spki, headSignedBytes(head.head), Buffer.from(head.head.signature, 'base64'))) {
      report('signature', endOfLog, head.head.seq, null, 'The signed head does not verify with a key the log declares.', last);
    } else if (head.head.seq > maxSeq) {
      report('truncated', endOfLog, maxSeq + 1, head.head.seq, `${span(maxSeq + 1, head.head.seq)} missing from the end of the log (the signed head says it reached ${head.head.seq}).`, last);
    } else {
      const p = bySeq.get(head.head.seq);
      if (p !== undefined && lines.ok[p] === 1 && lines.hashHex(p) !== head.head.hash) {
        report('changed', at(p), head.head.seq, null, `Record ${head.head.seq} (${place(p)}) is not the one the signed head names.`, p);
      } else {
        signedThrough = Math.max(signedThrough, head.head.seq);
      }
    }
  }
  // Heads kept outside the log: the vault's anchor, an exported witness.
  const hashAt = (seq: number): Promise<string | null> => {
    for (let p = lines.count - 1; p >= 0; p -= 1) if (lines.seq[p] === seq && lines.ok[p] === 1) return Promise.resolve(lines.hashHex(p));
    return Promise.resolve(null);
  };
  if (options.vault !== undefined) {
    const standing = await anchorStanding(options.vault.anchor, options.vault.publicKeySpki, maxSeq, hashAt);
    if (standing.state === 'forged') report('anchor', endOfLog, standing.head.seq, null, `The vault's anchor (record ${standing.head.seq}) does not verify with this desk's audit key.`, last + 1);
    if (standing.state === 'lost') report('lost', endOfLog, standing.head?.seq ?? null, null, lossMessage(standing, 'vault'), last + 1);
  }
  if (options.witness !== undefined) {
    const witness = options.witness;
    const spki = options.vault?.publicKeySpki !== undefined && options.vault.publicKeySpki !== null && options.deskKeyId === witness.keyId ? options.vault.publicKeySpki : (keys.get(witness.keyId)?.spki ?? null);
    const standing = await anchorStanding({ head: witness }, spki, maxSeq, hashAt);
    if (standing.state === 'forged') report('anchor', endOfLog, witness.seq, null, `The witness head (record ${witness.seq}) does not verify with key ${witness.keyId.slice(0, 16)}…, which neither the vault nor the log declares with it.`, last + 2);
    if (standing.state === 'lost') report('lost', endOfLog, witness.seq, null, lossMessage(standing, 'witness'), last + 2);
  }
  const deskKeyId = options.deskKeyId ?? null;
  const finalKey = lastKey as { seq: number; keyId: string } | null;
  if (deskKeyId !== null && finalKey !== null && finalKey.keyId !== deskKeyId) {
    report('anchor', endOfLog, finalKey.seq, null, `The log is signed by key ${finalKey.keyId.slice(0, 16)}…, not by this desk's audit key ${deskKeyId.slice(0, 16)}….`, last);
  } else if (deskKeyId !== null && finalKey === null && !everSigned && lines.count > 0 && head.state === 'missing') {
    // The desk has an audit key (made when the vault was created, and declared in the log then):
    // a log without any signature was written again from scratch.
    report('anchor', endOfLog, null, null, `The log declares no audit key, but this desk's audit key is ${deskKeyId.slice(0, 16)}…: it was never signed by it.`, last);
  }

  found.sort((a, b) => a.order - b.order);
  return {
    intact: found.length === 0,
    checkedAt: new Date().toISOString(),
    durationMs: performance.now() - started,
    segments: segments.length,
    records: lines.count,
    events,
    checkpoints: checkpoints.length,
    lastSeq: lines.count === 0 ? null : maxSeq,
    signedThrough: signedThrough === 0 ? null : signedThrough,
    unsigned: Math.max(0, maxSeq - signedThrough),
    keyIds: [...keys.entries()].sort((a, b) => a[1].seq - b[1].seq).map(([keyId]) => keyId),
    deskKeyId,
    unfinishedBytes,
    problems: found.slice(0, MAX_REPORTED).map((entry) => entry.problem),
    problemCount: found.length,
  };
}
