/**
 * `audit verify` for the team database (issue 18 §3): walks the chain in `audit_events` in pages
 * of `pageSize` rows (constant memory), inside one REPEATABLE READ snapshot so appends going on
 * meanwhile are not half seen, and checks what the embedded verify checks of a chain
 * (audit-verify.ts), reporting in the same report:
 *
 * - every row's line against its own hash, and its seq against the row's  → `changed`
 * - seq continuity from 1                                                  → `removed`
 * - each record's `prev` against the record before it                      → `changed` (the earlier one)
 * - checkpoint signatures with a key the chain declares before them        → `signature`
 * - the head row against the chain's end                                   → `truncated`, `changed`
 * - the chain signed by another key than the desk's                        → `anchor`
 * - damage the log recorded itself                                         → `recorded`
 *
 * Problems name `segment: 'audit_events'` and no line: a row is found by its seq.
 */
import type pg from 'pg';
import type { AuditProblem, AuditProblemKind, AuditVerifyReport } from '../../../shared/schemas/audit';
import { checkpointMessage, decodeLine, GENESIS_HASH } from '../../audit/audit-record';
import { verifyAuditSignature } from '../../audit/audit-signer';

const MAX_REPORTED = 100;
const WHERE = 'audit_events';

export interface PgVerifyOptions {
  readonly deskKeyId?: string | null;
  readonly pageSize?: number;
}

function span(from: number, to: number): string {
  return from === to ? `Record ${from} is` : `Records ${from} to ${to} are`;
}

export async function verifyPgAuditLog(pool: pg.Pool, options: PgVerifyOptions = {}): Promise<AuditVerifyReport> {
  const started = performance.now();
  const pageSize = options.pageSize ?? 5_000;
  const problems: AuditProblem[] = [];
  let problemCount = 0;
  const report = (kind: AuditProblemKind, seq: number | null, toSeq: number | null, message: string): void => {
    problemCount += 1;
    if (problems.length < MAX_REPORTED) problems.push({ kind, segment: WHERE, line: null, seq, toSeq, message });
  };
  const keys = new Map<string, { seq: number; spki: Buffer }>();
  let lastKey: { seq: number; keyId: string } | null = null;
  let records = 0;
  let events = 0;
  let checkpoints = 0;
  let signedThrough = 0;
  let previousCheckpoint = 0;
  // The hash of the record before (null: it was changed, so the link cannot be checked).
  let previousHash: string | null = GENESIS_HASH;
  let expected = 1;
  let maxSeq = 0;

  const client = await pool.connect();
  let head: { seq: number; hash: string };
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const headRows = await client.query<{ seq: string; hash: string }>('SELECT seq, hash FROM audit_head WHERE id = 1');
    head = { seq: Number(headRows.rows[0]?.seq ?? 0), hash: headRows.rows[0]?.hash ?? GENESIS_HASH };
    let after = 0;
    for (;;) {
      const { rows } = await client.query<{ seq: string; line: string }>('SELECT seq, line FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2', [after, pageSize]);
      for (const row of rows) {
        const seq = Number(row.seq);
        records += 1;
        if (seq > expected) {
          report('removed', expected, seq - 1, `${span(expected, seq - 1)} missing before record ${seq}.`);
          previousHash = null;
        }
        expected = seq + 1;
        maxSeq = seq;
        const decoded = decodeLine(row.line);
        if (!decoded.ok || !decoded.hashMatches || decoded.record.seq !== seq) {
          const why = !decoded.ok ? `cannot be read (${decoded.why})` : !decoded.hashMatches ? 'was changed: its content no longer matches its hash' : `holds record ${decoded.record.seq}`;
          report('changed', seq, null, `Record ${seq} ${why}.`);
          previousHash = null;
          continue;
        }
        const { record, hash } = decoded;
        if (previousHash !== null && record.prev !== previousHash) {
          if (seq === 1) report('changed', seq, null, 'Record 1 does not start the chain.');
          else report('changed', seq - 1, null, `Record ${seq - 1} was changed and its hash recomputed: record ${seq} no longer links to it.`);
        }
        previousHash = hash;
        if (record.type === 'event') {
          events += 1;
          if (record.action === 'audit.repair' && record.outcome === 'failure' && record.actor.kind === 'system') report('recorded', seq, null, `At record ${seq} the log recorded damage it found: ${record.reason ?? 'no reason given'}.`);
        } else if (record.type === 'key') {
          keys.set(record.keyId, { seq, spki: Buffer.from(record.publicKey, 'base64') });
          lastKey = { seq, keyId: record.keyId };
        } else {
          checkpoints += 1;
          const key = keys.get(record.keyId);
          if (key === undefined || key.seq >= seq) {
            report('signature', seq, null, `Checkpoint ${seq} is signed by a key the log does not declare before it.`);
          } else if (!verifyAuditSignature(key.spki, checkpointMessage(seq, record.prev, record.time), Buffer.from(record.signature, 'base64'))) {
            report('signature', seq, null, `The signature of checkpoint ${seq} does not verify: records ${previousCheckpoint + 1} to ${seq - 1} were rewritten.`);
          } else {
            signedThrough = seq - 1;
          }
          previousCheckpoint = seq;
        }
      }
      if (rows.length < pageSize) break;
      after = Number(rows.at(-1)?.seq ?? after);
    }
    await client.query('COMMIT');
  } finally {
    client.release();
  }

  if (head.seq > maxSeq) {
    report('truncated', maxSeq + 1, head.seq, `${span(maxSeq + 1, head.seq)} missing from the end of the log (the head says it reached ${head.seq}).`);
  } else if (head.seq < maxSeq) {
    report('changed', head.seq + 1, maxSeq, `${span(head.seq + 1, maxSeq)} past the head (${head.seq}): added outside the log.`);
  } else if (maxSeq > 0 && previousHash !== null && previousHash !== head.hash) {
    report('changed', maxSeq, null, `Record ${maxSeq} is not the one the head names.`);
  }
  const deskKeyId = options.deskKeyId ?? null;
  const finalKey = lastKey;
  if (deskKeyId !== null && finalKey !== null && finalKey.keyId !== deskKeyId) {
    report('anchor', finalKey.seq, null, `The log is signed by key ${finalKey.keyId.slice(0, 16)}…, not by this desk's audit key ${deskKeyId.slice(0, 16)}….`);
  }
  return {
    intact: problemCount === 0,
    checkedAt: new Date().toISOString(),
    durationMs: performance.now() - started,
    segments: 1,
    records,
    events,
    checkpoints,
    lastSeq: records === 0 ? null : maxSeq,
    signedThrough: signedThrough === 0 ? null : signedThrough,
    unsigned: Math.max(0, maxSeq - signedThrough),
    keyIds: [...keys.entries()].sort((a, b) => a[1].seq - b[1].seq).map(([keyId]) => keyId),
    deskKeyId,
    unfinishedBytes: 0,
    problems,
    problemCount,
  };
}
