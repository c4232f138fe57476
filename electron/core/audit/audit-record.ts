/**
 * The audit log's record format. Each record is one line of UTF-8 JSON ending in "\n":
 *
 *   {"seq":12,"time":"2026-05-01T10:00:00.000Z","type":"event","prev":"<hex>",…,"hash":"<hex>"}
 *
 * `prev` is the `hash` of the record before it (64 zeros for the first record) and `hash` is the
 * SHA-256 of the line's own bytes without its `,"hash":"…"` tail, that is of the JSON text the
 * record had before the hash was appended. Verification hashes the bytes as written, so no
 * canonical re-encoding is ever needed. `seq` numbers every record (events, checkpoints, keys)
 * from 1 without gaps; `time` never goes backwards.
 *
 * Three types of record:
 * - `event`: what happened (actor, channel, action, outcome, reason, holder, card, certificate,
 *   details, and for a vault change its change id and whether it was recovered); optional fields
 *   are left out rather than written as null.
 * - `checkpoint`: a signature by the audit key over "the records before me end in hash `prev`".
 * - `key`: the public part of the audit key that signs the checkpoints after it.
 */
import { hash as digest } from 'node:crypto';
import type { AuditActor, AuditChannel, AuditOutcome } from '../../shared/schemas/audit';

export const GENESIS_HASH = '0'.repeat(64);
export const RECORD_FORMAT_VERSION = 1;

interface RecordBase {
  readonly seq: number;
  readonly time: string;
  readonly prev: string;
}

export interface EventRecord extends RecordBase {
  readonly type: 'event';
  readonly actor: AuditActor;
  readonly channel: AuditChannel;
  readonly action: string;
  readonly outcome: AuditOutcome;
  readonly reason?: string;
  readonly holder?: string;
  readonly card?: string;
  readonly certificate?: string;
  readonly details?: Readonly<Record<string, string | number | boolean>>;
  /** The vault change this event records (see vault/change-events.ts): at most one event per change. */
  readonly change?: string;
  /** Written when the vault next opened, for a change whose process stopped before recording it. */
  readonly recovered?: true;
}

export interface CheckpointRecord extends RecordBase {
  readonly type: 'checkpoint';
  readonly keyId: string;
  /** Base64 signature over `checkpointMessage(seq, prev, time)`. */
  readonly signature: string;
}

export interface KeyRecord extends RecordBase {
  readonly type: 'key';
  readonly keyId: string;
  readonly algorithm: string;
  /** Base64 DER SubjectPublicKeyInfo. */
  readonly publicKey: string;
}

export type AuditRecord = EventRecord | CheckpointRecord | KeyRecord;

export function sha256Hex(text: string): string {
  return digest('sha256', text);
}

/** The line for a record (with its "\n") and its hash. Fields are written in a fixed order. */
export function encodeRecord(record: AuditRecord): { line: string; hash: string } {
  const text = JSON.stringify(ordered(record));
  const hash = sha256Hex(text);
  return { line: `${text.slice(0, -1)},"hash":"${hash}"}\n`, hash };
}

/** The record with its fields in the format's order (built field by field: this runs for every record). */
function ordered(record: AuditRecord): object {
  const out: Record<string, unknown> = { seq: record.seq, time: record.time, type: record.type, prev: record.prev };
  switch (record.type) {
    case 'event':
      out['actor'] = { kind: record.actor.kind, id: record.actor.id };
      out['channel'] = record.channel;
      out['action'] = record.action;
      out['outcome'] = record.outcome;
      if (record.reason !== undefined) out['reason'] = record.reason;
      if (record.holder !== undefined) out['holder'] = record.holder;
      if (record.card !== undefined) out['card'] = record.card;
      if (record.certificate !== undefined) out['certificate'] = record.certificate;
      if (record.details !== undefined) out['details'] = record.details;
      if (record.change !== undefined) out['change'] = record.change;
      if (record.recovered === true) out['recovered'] = true;
      return out;
    case 'checkpoint':
      out['keyId'] = record.keyId;
      out['signature'] = record.signature;
      return out;
    case 'key':
      out['keyId'] = record.keyId;
      out['algorithm'] = record.algorithm;
      out['publicKey'] = record.publicKey;
      return out;
  }
}

const HASH_TAIL = ',"hash":"';
/** `,"hash":"` + 64 hex digits + `"}` */
const TAIL_LENGTH = HASH_TAIL.length + 64 + 2;
const HEX64 = /^[0-9a-f]{64}$/;

/** A line split into the text its hash covers and the hash it carries; null when it has no hash tail. */
export function splitLine(line: string): { body: string; hash: string } | null {
  if (line.length <= TAIL_LENGTH + 2 || !line.endsWith('"}')) return null;
  const at = line.length - TAIL_LENGTH;
  if (!line.startsWith(HASH_TAIL, at)) return null;
  const hash = line.slice(at + HASH_TAIL.length, line.length - 2);
  return HEX64.test(hash) ? { body: `${line.slice(0, at)}}`, hash } : null;
}

export type DecodedLine =
  | { readonly ok: true; readonly record: AuditRecord; readonly hash: string; readonly hashMatches: boolean }
  | { readonly ok: false; readonly why: string };

/** Reads one line (without its "\n"): its record, the hash it carries and whether its bytes still match it. */
export function decodeLine(line: string): DecodedLine {
  const split = splitLine(line);
  if (split === null) return { ok: false, why: 'the line has no hash' };
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { ok: false, why: 'the line is not JSON' };
  }
  const record = asRecord(value);
  if (record === null) return { ok: false, why: 'the line is not an audit record' };
  return { ok: true, record, hash: split.hash, hashMatches: sha256Hex(split.body) === split.hash };
}

function asRecord(value: unknown): AuditRecord | null {
  if (typeof value !== 'object' || value === null) return null;
  const r = value as Record<string, unknown>;
  if (!Number.isSafeInteger(r['seq']) || (r['seq'] as number) < 1 || typeof r['time'] !== 'string' || typeof r['prev'] !== 'string') return null;
  switch (r['type']) {
    case 'event': {
      const actor = r['actor'] as Record<string, unknown> | undefined;
      if (typeof actor?.['id'] !== 'string' || typeof actor['kind'] !== 'string' || typeof r['action'] !== 'string') return null;
      if (r['outcome'] !== 'success' && r['outcome'] !== 'failure') return null;
      return value as EventRecord;
    }
    case 'checkpoint':
      return typeof r['keyId'] === 'string' && typeof r['signature'] === 'string' ? (value as CheckpointRecord) : null;
    case 'key':
      return typeof r['keyId'] === 'string' && typeof r['publicKey'] === 'string' ? (value as KeyRecord) : null;
    default:
      return null;
  }
}

/** What a checkpoint signs: "the records before seq `seq` end in hash `prev`", at `time`. */
export function checkpointMessage(seq: number, prev: string, time: string): Buffer {
  return Buffer.from(`CardDesk audit checkpoint v${RECORD_FORMAT_VERSION}\n${seq}\n${prev}\n${time}\n`);
}

/** What the head file signs: "the log's last record is `seq` with hash `hash`", at `time`. */
export function headMessage(seq: number, hash: string, time: string): Buffer {
  return Buffer.from(`CardDesk audit head v${RECORD_FORMAT_VERSION}\n${seq}\n${hash}\n${time}\n`);
}
