import type { AuditAction, AuditActor, AuditChannel } from '../../shared/schemas/audit';

/**
 * One thing that happened, as a service reports it. Never a secret: no PIN, PUK, key,
 * passphrase or challenge response goes into any field, `details` included.
 */
export interface AuditEventInput {
  readonly action: AuditAction;
  readonly outcome: 'success' | 'failure';
  /** Why it failed (or a short qualifier for a success), in plain English. */
  readonly reason?: string;
  readonly actor: AuditActor;
  readonly channel: AuditChannel;
  readonly holderId?: string;
  readonly cardSerial?: string;
  readonly certificateSerial?: string;
  readonly details?: Readonly<Record<string, string | number | boolean>>;
  /** The id of the vault change this event records (see vault/change-events.ts). */
  readonly changeId?: string;
  /** The change was made before a stop, and its event is written on recovery. */
  readonly recovered?: true;
}

/** Where services record what they did; the tamper-evident log implements it. */
export interface AuditTrail {
  record(event: AuditEventInput): Promise<void>;
  /**
   * Which of these change ids have an event in the trail. Events of changes made at or after
   * `sinceMs` (epoch ms) are looked for; an implementation may stop looking at older ones.
   */
  changeEventsIn(ids: ReadonlySet<string>, sinceMs: number): Promise<Set<string>>;
}

/** Keeps events in memory; for tests and for one-shot tools that have no log. */
export class MemoryAuditTrail implements AuditTrail {
  readonly events: AuditEventInput[] = [];

  record(event: AuditEventInput): Promise<void> {
    this.events.push(event);
    return Promise.resolve();
  }

  changeEventsIn(ids: ReadonlySet<string>): Promise<Set<string>> {
    return Promise.resolve(new Set(this.events.flatMap((event) => (event.changeId !== undefined && ids.has(event.changeId) ? [event.changeId] : []))));
  }
}
