import type { Surface } from '../../shared/schemas/app';
import type { OperationContext } from '../operation-context';

/** Who is calling, as established by the transport (never by the caller's own claim). */
export interface CallContext {
  readonly surface: Surface;
  readonly transport: 'ipc' | 'websocket';
  /** This browser session or window, for per-source limits such as the passphrase back-off. */
  readonly source?: string;
}

/**
 * The acting party for a call: at the desk the signed-in operator (the OS account until operator
 * sign-in exists), at a kiosk the kiosk itself until a holder has identified with card and PIN.
 */
export function operationOf(context: CallContext, operatorId: string): OperationContext {
  return context.surface === 'kiosk'
    ? { actor: { kind: 'system', id: 'kiosk' }, channel: 'kiosk' }
    : { actor: { kind: 'operator', id: operatorId }, channel: 'desk' };
}
