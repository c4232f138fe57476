/**
 * The second factor's channels (issue 15 §4, §5), mapped to SecondFactorService. Desk channels
 * act for the operator on any holder; the kiosk channels act for the holder signed in on the
 * calling window's session only — the holder comes from the session, never from the page.
 */
import { CardDeskError } from '../../shared/errors';
import type { SecondFactorService } from '../account/second-factor';
import { sessionEnded } from '../kiosk/kiosk-refusals';
import type { KioskService } from '../kiosk/kiosk-service';
import { sourceOf } from '../kiosk/kiosk-sessions';
import type { OperationContext } from '../operation-context';
import { operationOf, type CallContext } from './context';
import type { ContractHandlers } from './handlers';

export type SecondFactorKioskChannel = 'kiosk:secondFactor' | 'kiosk:totpBegin' | 'kiosk:totpConfirm' | 'kiosk:totpRemove';
type SecondFactorChannel =
  | 'account:secondFactor'
  | 'account:removeSecondFactor'
  | 'account:importOtpTokens'
  | 'account:otpTokens'
  | 'account:assignOtpToken'
  | SecondFactorKioskChannel;

/** The holder signed in on the calling kiosk window (the session is touched), or SESSION_ENDED. */
export async function kioskHolderOf(kiosk: Pick<KioskService, 'touch' | 'sessions'>, context: CallContext): Promise<{ holderId: string; operation: OperationContext }> {
  if (context.surface !== 'kiosk') throw new CardDeskError('NOT_ON_THIS_SURFACE', 'This channel is for the holder at a kiosk.');
  const source = sourceOf(context);
  await kiosk.touch(source);
  const holderId = kiosk.sessions.signedInHolder(source);
  if (holderId === null) throw sessionEnded();
  return { holderId, operation: { actor: { kind: 'holder', id: holderId }, channel: 'kiosk' } };
}

export function secondFactorHandlers(factor: SecondFactorService, kiosk: Pick<KioskService, 'touch' | 'sessions'>, operatorId: string): Pick<ContractHandlers, SecondFactorChannel> {
  return {
    'account:secondFactor': ({ holderId }) => factor.status(holderId),
    'account:removeSecondFactor': ({ holderId, reason }, context) => factor.remove(holderId, reason, operationOf(context, operatorId)),
    'account:importOtpTokens': async ({ pskc, key }, context) => {
      const preShared = key === null ? null : Buffer.from(key, 'hex');
      try {
        return await factor.importTokens(pskc, preShared, operationOf(context, operatorId));
      } finally {
        preShared?.fill(0);
      }
    },
    'account:otpTokens': () => factor.tokens(),
    'account:assignOtpToken': ({ serial, holderId }, context) => factor.assignToken(serial, holderId, operationOf(context, operatorId)),
    'kiosk:secondFactor': async (_args, context) => factor.status((await kioskHolderOf(kiosk, context)).holderId),
    'kiosk:totpBegin': async (_args, context) => {
      const { holderId, operation } = await kioskHolderOf(kiosk, context);
      return factor.begin(holderId, operation);
    },
    'kiosk:totpConfirm': async ({ code }, context) => {
      const { holderId, operation } = await kioskHolderOf(kiosk, context);
      return factor.confirm(holderId, code, operation);
    },
    'kiosk:totpRemove': async ({ code }, context) => {
      const { holderId, operation } = await kioskHolderOf(kiosk, context);
      return factor.removeWithCode(holderId, code, operation);
    },
  };
}
