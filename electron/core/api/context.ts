import type { Surface } from '../../shared/schemas/app';
import type { OperationContext } from '../operation-context';

/** Who is calling, as established by the transport (never by the caller's own claim). */
export interface CallContext {
  readonly surface: Surface;
  readonly transport: 'ipc' | 'websocket';
  /** This browser session or window, for per-source limits such as the passphrase back-off. */
  readonly source?: string;
  /**
   * The desk's operator session this call acts for (issue 17 §5), put here by the permission check
   * (operators/permission-check.ts) at each call; absent for kiosk calls and where no session applies.
   */
  readonly operator?: { readonly operatorId: string };
}

/**
 * The acting party for a call: at the desk the operator of the call's session (the OS account
 * `operatorId` in the first-run bootstrap, or where no session is on the context), at a kiosk the
 * kiosk itself until a holder has identified with card and PIN.
 */
export function operationOf(context: CallContext, operatorId: string): OperationContext {
  return context.surface === 'kiosk'
    ? { actor: { kind: 'system', id: 'kiosk' }, channel: 'kiosk' }
    : { actor: { kind: 'operator', id: context.operator?.operatorId ?? operatorId }, channel: 'desk' };
}
