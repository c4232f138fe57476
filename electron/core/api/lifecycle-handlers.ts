/** The contract's card life-cycle channels, mapped to the issuer and the life-cycle service. */
import type { ContractHandlers } from './handlers';
import { operationOf, type CallContext } from './context';
import type { LifecycleServices } from '../lifecycle/lifecycle-services';
import { asContractResult } from '../lifecycle/refusals';
import { mobileIdDefaults, type IssuancePolicy } from '../../shared/schemas/lifecycle';

/** The policy as the desk sees it: with the mobile ID defaults even when a vault kept none yet. */
const withMobileDefaults = (policy: IssuancePolicy): IssuancePolicy => ({ ...policy, mobileId: mobileIdDefaults(policy) });

type LifecycleChannel =
  | 'cards:policy'
  | 'cards:updatePolicy'
  | 'cards:issue'
  | 'cards:resumeIssue'
  | 'cards:replace'
  | 'cards:record'
  | 'cards:renew'
  | 'cards:retire'
  | 'cards:resetPin'
  | 'cards:unblockResponse'
  | 'cards:suspend'
  | 'cards:resume'
  | 'cards:revoke'
  | 'cards:reportLost'
  | 'cards:expiring'
  | 'cards:activate';

export function lifecycleHandlers({ issuer, lifecycle, activation }: LifecycleServices, operatorId: string): Pick<ContractHandlers, LifecycleChannel> {
  const op = (context: CallContext) => operationOf(context, operatorId);
  return {
    'cards:policy': () => withMobileDefaults(lifecycle.policy()),
    'cards:updatePolicy': async (change, context) => withMobileDefaults(await lifecycle.updatePolicy(change, op(context))),
    'cards:issue': async (args, context) => asContractResult(await issuer.issue(args, op(context))),
    'cards:resumeIssue': async (args, context) => asContractResult(await issuer.resume(args, op(context))),
    'cards:replace': async (args, context) => asContractResult(await issuer.replace(args, op(context))),
    'cards:record': ({ serial }) => issuer.status(serial),
    'cards:renew': ({ reader }, context) => lifecycle.renew(reader, op(context)),
    'cards:retire': ({ reader }, context) => lifecycle.retire(reader, op(context)),
    'cards:resetPin': ({ reader }, context) => lifecycle.resetPin(reader, op(context)),
    'cards:unblockResponse': ({ serial, challenge }, context) => lifecycle.unblockResponse(serial, challenge, op(context)),
    'cards:suspend': ({ serial, days, afterHold }, context) => lifecycle.suspend(serial, days, afterHold, op(context)),
    'cards:resume': ({ serial }, context) => lifecycle.resume(serial, op(context)),
    'cards:revoke': ({ serial, reason }, context) => lifecycle.revoke(serial, reason, op(context)),
    'cards:reportLost': ({ serial, stolen }, context) => lifecycle.reportLost(serial, stolen, op(context)),
    'cards:expiring': ({ withinDays }) => lifecycle.expiring(withinDays),
    'cards:activate': ({ reader, pin, newPin }, context) =>
      activation.activate(reader, pin === undefined ? null : Buffer.from(pin, 'utf8'), op(context), newPin === undefined ? null : Buffer.from(newPin, 'utf8')),
  };
}
