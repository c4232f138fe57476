/**
 * No change without its event (issue 11 §2). A change to the vault's records and the audit event
 * that records it are two durable writes in two places (the record store's journal, the audit
 * log); a process killed between them used to leave the change with no event. Now the change
 * carries its event:
 *
 * 1. `commit` writes the change and the full event (action, outcome, actor, holder, serials,
 *    details; checked and redacted as the log would, so never a secret) in ONE journal line,
 *    under a fresh change id. One fdatasync, as before.
 * 2. It then records the event in the audit log with that change id (`change` in the record, so
 *    it is hash-chained and signed like the rest). Only then does the call return.
 * 3. It marks the change recorded in the store (no fsync of its own: the mark rides on the next
 *    journal line, see record-store.ts).
 *
 * When the vault opens (the app's start, every CLI command, see createVaultServices),
 * `recoverChangeEvents` takes the store's pending events (written with a change, never marked),
 * asks the log which of their change ids it already holds, and records the others, marked
 * `recovered`. So each change in the vault gets exactly one event: either the one its call
 * recorded, or the recovered one; never both (the log is asked first, and a recovered event
 * carries the change id too, so a second recovery finds it), and no event names a change the
 * vault does not hold (the event is written only after its change is durable).
 *
 * Why the change first and not the event first: an event written first needs a second write to
 * say the change was abandoned when the change then fails (a duplicate holder, a full disk), and
 * the log is append-only. Written with the change, the event is exactly as durable as the change.
 * Changes to vault.json (settings, the CA's state, the passphrase) work the same way with
 * `commitMeta`: the event goes into the document's `pendingEvents` in the same atomic write, and
 * leaves it once the log holds it (a second write; these changes are rare).
 *
 * Finding what is already in the log costs little: marks leave only the changes of the last
 * moments before a stop pending (usually none or one), and their events, when written, are at
 * the log's end, which `changeEventsIn` reads backwards.
 */
import { randomUUID } from 'node:crypto';
import type { AuditEventInput, AuditTrail } from '../audit/audit-trail';
import { safeEventInput } from '../audit/event-input';
import type { Logger } from '../log/logger';
import type { PendingEvent, RecordChange } from './record-store';
import type { VaultAccess } from './vault-access';
import type { VaultMeta } from './vault-meta';
import type { VaultStore } from './records';

export class ChangeRecorder {
  constructor(
    private readonly access: VaultAccess,
    private readonly audit: AuditTrail,
  ) {}

  /**
   * Commits `changes` with `event` in one journal line, then records the event; resolves once both
   * are on disk. The changes are in memory as soon as this is called (callers update their indexes
   * right after the call, before awaiting it, so nothing runs in between); if their line cannot be
   * written they are undone and this rejects. If recording the event fails, the change stands and
   * its event is recovered at the next open.
   */
  async commit(changes: readonly RecordChange[], event: AuditEventInput): Promise<void> {
    const records = this.access.storage().records;
    const id = randomUUID();
    // In memory at once (callers update their indexes right after this call, before awaiting it).
    // What followers add (an outbox message about this change) goes in the same line.
    const followed = this.access.followersOf(changes, event);
    await records.commit(followed.length === 0 ? changes : [...changes, ...followed], { id, at: Date.now(), event: safeEventInput(event) });
    await this.audit.record({ ...event, changeId: id });
    records.markRecorded(id);
  }

  /**
   * Changes vault.json with `event` in the same atomic write (durable when this returns), then
   * records the event and takes it out of the document. If recording fails, the change stands
   * and its event is recovered at the next open.
   */
  async commitMeta(change: (meta: VaultMeta) => VaultMeta, event: AuditEventInput): Promise<VaultMeta> {
    const storage = this.access.storage();
    const pending: PendingEvent = { id: randomUUID(), at: Date.now(), event: safeEventInput(event) };
    const meta = await storage.updateMeta((before) => ({ ...change(before), pendingEvents: [...(before.pendingEvents ?? []), pending] }));
    await this.audit.record({ ...event, changeId: pending.id });
    await forgetMetaEvents(storage, new Set([pending.id]));
    return meta;
  }
}

/** Where events wait until the log holds them: the record store's journal, and vault.json. */
export type PendingEventSources = Pick<VaultStore, 'records' | 'meta' | 'updateMeta'>;

/** Takes events the log now holds out of vault.json; a failed write only leaves them for recovery to find in the log. */
async function forgetMetaEvents(storage: PendingEventSources, ids: ReadonlySet<string>): Promise<void> {
  if (!(storage.meta.pendingEvents ?? []).some((entry) => ids.has(entry.id))) return;
  try {
    await storage.updateMeta((meta) => ({ ...meta, pendingEvents: (meta.pendingEvents ?? []).filter((entry) => !ids.has(entry.id)) }));
  } catch {
    // Recovery asks the log first, so an event left here is never recorded twice.
  }
}

/**
 * Records the events of changes that were made but whose event the log does not hold (the
 * process stopped in between), marked recovered. Returns how many it recorded.
 */
export async function recoverChangeEvents(storage: PendingEventSources, audit: AuditTrail, log?: Logger): Promise<number> {
  const { records } = storage;
  const pending = [...records.pendingEvents(), ...(storage.meta.pendingEvents ?? [])].sort((a, b) => a.at - b.at);
  if (pending.length === 0) return 0;
  const found = await audit.changeEventsIn(new Set(pending.map((entry) => entry.id)), Math.min(...pending.map((entry) => entry.at)));
  const missing = pending.filter((entry) => !found.has(entry.id));
  // Recorded together (one batch in the log), in the order the changes were made.
  await Promise.all(missing.map((entry) => audit.record({ ...entry.event, changeId: entry.id, recovered: true })));
  for (const entry of pending) records.markRecorded(entry.id);
  await forgetMetaEvents(storage, new Set(pending.map((entry) => entry.id)));
  if (missing.length > 0) log?.warn('events of vault changes made before a stop were recorded on recovery', { recovered: missing.length, alreadyRecorded: found.size });
  return missing.length;
}
