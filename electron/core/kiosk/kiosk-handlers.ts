/**
 * The contract's `kiosk:*` channels, mapped to the kiosk service. The page's window (the call's
 * source, set by the transport) picks the session; no channel takes a reader, a card serial or a
 * holder after `kiosk:begin`. A read channel called without a live session is recorded here as a
 * failure; the write channels' failures are recorded by the write wrapper (write-audit.ts).
 */
import { channels } from '../../shared/contract';
import { CardDeskError } from '../../shared/errors';
import type { AuditAction } from '../../shared/schemas/audit';
import type { CallContext } from '../api/context';
import type { ContractHandlers } from '../api/handlers';
import type { AccountContactKioskChannel } from '../api/account-contact-handlers';
import type { KioskMobile } from './kiosk-mobile';
import type { KioskService } from './kiosk-service';
import type { StolenCardService } from './stolen-card';
import { sourceOf } from './kiosk-sessions';
import type { SecondFactorKioskChannel } from '../api/second-factor-handlers';

type StolenCardChannel = Extract<keyof ContractHandlers, `kiosk:stolenCard${string}`>;
type KioskMobileChannel = Extract<keyof ContractHandlers, `kiosk:mobile${string}`>;
// The second factor's kiosk channels are mapped in api/second-factor-handlers.ts, the stolen card's and the mobile IDs' below.
// The recovery-code unblock's are in api/recovery-handlers.ts, the contact data's in api/account-contact-handlers.ts.
export type KioskChannel = Exclude<Extract<keyof ContractHandlers, `kiosk:${string}`>, SecondFactorKioskChannel | StolenCardChannel | KioskMobileChannel | AccountContactKioskChannel | 'kiosk:recoveryBegin' | 'kiosk:recoveryComplete'>;

/** What a refused read is recorded as (reads record nothing when they succeed). */
const readActions: Partial<Record<KioskChannel, AuditAction>> = {
  'kiosk:pendingContract': 'contract.view',
  'kiosk:home': 'kiosk.sessionStart',
  'kiosk:touch': 'kiosk.sessionStart',
  'kiosk:history': 'kiosk.sessionStart',
};

export function kioskHandlers(kiosk: KioskService): Pick<ContractHandlers, KioskChannel> {
  const handlers: Pick<ContractHandlers, KioskChannel> = {
    'kiosk:status': () => kiosk.status(),
    'kiosk:begin': ({ reader }, context) => kiosk.begin(sourceOf(context), reader),
    'kiosk:signIn': ({ pin }, context) => kiosk.signIn(sourceOf(context), pin),
    'kiosk:unblockPin': ({ puk, newPin }, context) => kiosk.unblockPin(sourceOf(context), puk, newPin),
    'kiosk:offlineUnblockBegin': (_args, context) => kiosk.offlineUnblockBegin(sourceOf(context)),
    'kiosk:activate': ({ pin }, context) => kiosk.activate(sourceOf(context), pin),
    'kiosk:pendingContract': (_args, context) => kiosk.pendingContract(sourceOf(context)),
    'kiosk:home': (_args, context) => kiosk.homeOf(sourceOf(context)),
    'kiosk:touch': (_args, context) => kiosk.touch(sourceOf(context)),
    'kiosk:changePin': ({ currentPin, newPin }, context) => kiosk.changePin(sourceOf(context), currentPin, newPin),
    'kiosk:changePuk': ({ currentPuk, newPuk }, context) => kiosk.changePuk(sourceOf(context), currentPuk, newPuk),
    'kiosk:certificate': ({ serial, format }, context) => kiosk.certificate(sourceOf(context), serial, format),
    'kiosk:contract': (_args, context) => kiosk.contract(sourceOf(context)),
    'kiosk:history': (args, context) => kiosk.history(sourceOf(context), args),
    'kiosk:suspend': ({ days, secondFactor }, context) => kiosk.suspend(sourceOf(context), days, secondFactor),
    'kiosk:revoke': ({ reason, pin, secondFactor }, context) => kiosk.revoke(sourceOf(context), reason, pin, secondFactor),
    'kiosk:signOut': (_args, context) => kiosk.signOut(sourceOf(context)),
  };
  for (const [channel, action] of Object.entries(readActions) as [KioskChannel, AuditAction][]) {
    if (channels[channel].effect !== 'read') continue;
    const handler = handlers[channel] as (args: unknown, context: CallContext) => unknown;
    (handlers as Record<string, unknown>)[channel] = async (args: unknown, context: CallContext) => {
      try {
        return await handler(args, context);
      } catch (error) {
        if (error instanceof CardDeskError && error.code === 'SESSION_ENDED') await kiosk.recordRefused(sourceOf(context), channel, action);
        throw error;
      }
    };
  }
  return handlers;
}

/** "My card was stolen" without the card: before sign-in, so bound to the window's flow, not to a session. */
export function stolenCardHandlers(stolen: StolenCardService): Pick<ContractHandlers, StolenCardChannel> {
  return {
    'kiosk:stolenCardBegin': ({ personalNumber }, context) => stolen.begin(sourceOf(context), personalNumber),
    'kiosk:stolenCardComplete': ({ flowId, code, days }, context) => stolen.complete(sourceOf(context), flowId, code, days),
    'kiosk:stolenCardCancel': ({ flowId }, context) => stolen.cancel(sourceOf(context), flowId),
  };
}

/** The signed-in holder's mobile IDs (kiosk-mobile.ts): the holder comes from the window's session, never from the page. */
export function kioskMobileHandlers(mobile: KioskMobile, kiosk: Pick<KioskService, 'recordRefused'>): Pick<ContractHandlers, KioskMobileChannel> {
  return {
    'kiosk:mobileIds': async (_args, context) => {
      try {
        return await mobile.list(sourceOf(context));
      } catch (error) {
        if (error instanceof CardDeskError && error.code === 'SESSION_ENDED') await kiosk.recordRefused(sourceOf(context), 'kiosk:mobileIds', 'kiosk.sessionStart');
        throw error;
      }
    },
    'kiosk:mobileIssue': ({ labels, secondFactor }, context) => mobile.issue(sourceOf(context), labels, secondFactor),
    'kiosk:mobileCancel': ({ id }, context) => mobile.cancel(sourceOf(context), id),
    'kiosk:mobileLock': ({ id, days, secondFactor }, context) => mobile.lock(sourceOf(context), id, days, secondFactor),
    'kiosk:mobileRevoke': ({ id, reason, pin, secondFactor }, context) => mobile.revoke(sourceOf(context), id, reason, pin, secondFactor),
    'kiosk:mobileMigrate': ({ id, secondFactor }, context) => mobile.migrate(sourceOf(context), id, secondFactor),
  };
}
