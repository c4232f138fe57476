/**
 * The recovery code's channels (issue 15 §1): `account:*` at the desk (status, a new code whose
 * letter goes to the outbox) and the kiosk's unblock with it, which acts for the card of the
 * window's kiosk session only (the call's source picks the session; no holder or card is taken
 * from the page).
 */
import type { RecoveryCodes } from '../account/recovery-codes';
import type { KioskRecovery } from '../kiosk/kiosk-recovery';
import { sourceOf } from '../kiosk/kiosk-sessions';
import { operationOf } from './context';
import type { ContractHandlers } from './handlers';

type RecoveryChannel = 'account:recoveryCodeStatus' | 'account:resetRecoveryCode' | 'kiosk:recoveryBegin' | 'kiosk:recoveryComplete';

export function recoveryHandlers(recovery: RecoveryCodes, kiosk: KioskRecovery, operatorId: string): Pick<ContractHandlers, RecoveryChannel> {
  return {
    'account:recoveryCodeStatus': ({ holderId }) => recovery.status(holderId),
    'account:resetRecoveryCode': ({ holderId }, context) => recovery.issueRecoveryCode(holderId, operationOf(context, operatorId), 'request'),
    'kiosk:recoveryBegin': ({ code }, context) => kiosk.begin(sourceOf(context), code),
    'kiosk:recoveryComplete': (args, context) => kiosk.complete(sourceOf(context), args),
  };
}
