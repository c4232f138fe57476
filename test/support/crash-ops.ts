/**
 * The writes a crash-test writer performs, as a pure function of their index, so the checker can
 * compute exactly what the vault must hold after the writer acknowledged n writes: the first n
 * applied, or the first n + 1 (the one in flight when the writer was killed may have landed).
 */
import type { RecordChange, StoredRecord } from '../../electron/core/vault/record-store';

export type CrashOp = { kind: 'records'; changes: RecordChange[] } | { kind: 'meta'; idleLockMinutes: number };

const KEYS = 40;
const padding = 'x'.repeat(200);

export function crashOp(i: number): CrashOp {
  if (i % 17 === 5) return { kind: 'meta', idleLockMinutes: (i % 480) + 1 };
  if (i % 11 === 3) {
    // A batch: all or nothing.
    return { kind: 'records', changes: Array.from({ length: 5 }, (_, k) => ({ collection: 'holders', id: `h${(i + k * 7) % KEYS}`, record: { id: `h${(i + k * 7) % KEYS}`, op: i, padding } as StoredRecord })) };
  }
  if (i % 13 === 7) return { kind: 'records', changes: [{ collection: 'holders', id: `h${i % KEYS}`, record: null }] };
  return { kind: 'records', changes: [{ collection: 'holders', id: `h${i % KEYS}`, record: { id: `h${i % KEYS}`, op: i, padding } as StoredRecord }] };
}

export interface CrashState {
  readonly records: Map<string, StoredRecord>;
  readonly idleLockMinutes: number;
}

export function stateAfter(count: number, initialIdle: number): CrashState {
  const records = new Map<string, StoredRecord>();
  let idleLockMinutes = initialIdle;
  for (let i = 0; i < count; i += 1) {
    const op = crashOp(i);
    if (op.kind === 'meta') idleLockMinutes = op.idleLockMinutes;
    else {
      for (const change of op.changes) {
        if (change.record === null) records.delete(change.id);
        else records.set(change.id, change.record);
      }
    }
  }
  return { records, idleLockMinutes };
}
