import type { AuditActor, AuditChannel } from '../shared/schemas/audit';

/**
 * Who asks a service to act, and through which channel; every state-changing service method
 * takes one, so the audit trail can say who did what where. The transports build it (IPC and
 * browser mode from the window's surface, the CLI for itself); a caller never chooses it.
 */
export interface OperationContext {
  readonly actor: AuditActor;
  readonly channel: AuditChannel;
}
