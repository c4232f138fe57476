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
}

/** Where services record what they did; the tamper-evident log implements it. */
export interface AuditTrail {
  record(event: AuditEventInput): Promise<void>;
}

/** Keeps events in memory; for tests and for one-shot tools that have no log. */
export class MemoryAuditTrail implements AuditTrail {
  readonly events: AuditEventInput[] = [];

  record(event: AuditEventInput): Promise<void> {
    this.events.push(event);
    return Promise.resolve();
  }
}
