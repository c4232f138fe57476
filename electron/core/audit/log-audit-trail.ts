import type { Logger } from '../log/logger';
import type { AuditEventInput, AuditTrail } from './audit-trail';

/**
 * Writes audit events as log lines. A stopgap so no event is dropped while the tamper-evident log
 * (hash-chained, signed checkpoints) is not in place; it proves nothing about integrity.
 */
export class LogAuditTrail implements AuditTrail {
  constructor(private readonly log: Logger) {}

  record(event: AuditEventInput): Promise<void> {
    this.log.info('audit', { event });
    return Promise.resolve();
  }
}
