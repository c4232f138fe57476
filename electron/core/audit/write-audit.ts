/**
 * Every channel that changes state names the audit action it records; TypeScript refuses a new
 * `write` channel until it has one here. Services record their own events with the details they
 * know; this wrapper adds the one they cannot: when a handler fails with an error, the attempt is
 * recorded as a failure (with the error code, never the arguments, which may hold secrets).
 */
import type { ChannelName, Channels } from '../../shared/contract';
import { CardDeskError } from '../../shared/errors';
import type { AuditAction } from '../../shared/schemas/audit';
import { operationOf, type CallContext } from '../api/context';
import type { ContractHandlers } from '../api/handlers';
import type { Logger } from '../log/logger';
import type { AuditTrail } from './audit-trail';

export type WriteChannel = { [C in ChannelName]: Channels[C]['effect'] extends 'write' ? C : never }[ChannelName];

export const writeChannelActions = {
  'readers:insertVirtualCard': 'reader.virtualCardInsert',
  'readers:removeVirtualCard': 'reader.virtualCardRemove',
  'cards:verifyPin': 'card.pinVerify',
  'cards:changePin': 'card.pinChange',
  'cards:changePuk': 'card.pukChange',
  'cards:unblockPin': 'card.unblockWithPuk',
  'cards:setRetryCounters': 'card.retryCountersSet',
  'cards:offlineUnblockBegin': 'card.unblockChallenge',
  'cards:offlineUnblockComplete': 'card.unblockOffline',
  'cards:offlineUnblockCancel': 'card.unblockOffline',
  'cards:updatePolicy': 'settings.change',
  'cards:issue': 'card.issue',
  'cards:resumeIssue': 'card.issue',
  'cards:replace': 'card.replace',
  'cards:renew': 'card.renew',
  'cards:retire': 'card.retire',
  'cards:resetPin': 'card.pinReset',
  'cards:unblockResponse': 'card.unblockResponse',
  'cards:suspend': 'card.suspend',
  'cards:resume': 'card.resume',
  'cards:revoke': 'card.revoke',
  'cards:reportLost': 'card.reportLost',
  'cards:activate': 'card.activate',
  'contracts:open': 'contract.view',
  'contracts:download': 'contract.download',
  'contracts:setTemplate': 'contract.templateChange',
  'contracts:resetTemplate': 'contract.templateChange',
  'tokens:addModule': 'settings.change',
  'tokens:removeModule': 'settings.change',
  'tokens:addLibraryFolder': 'settings.change',
  'tokens:removeLibraryFolder': 'settings.change',
  'tokens:login': 'card.pinVerify',
  'vault:init': 'vault.init',
  'vault:unlock': 'vault.unlock',
  'vault:lock': 'vault.lock',
  'vault:issueRecoveryCode': 'vault.recoveryCodeIssue',
  'vault:recover': 'vault.recoveryUnlock',
  'vault:updateSettings': 'settings.change',
  'vault:backup': 'vault.backup',
  'vault:restore': 'vault.restore',
  'ca:init': 'ca.init',
  'ca:import': 'ca.import',
  'ca:publishCrl': 'ca.crlSign',
  'ca:startOcsp': 'ca.ocspStart',
  'ca:stopOcsp': 'ca.ocspStop',
  'ca:setPublicBaseUrl': 'settings.change',
  'settings:setNetworkListener': 'settings.change',
  'settings:setKiosk': 'settings.change',
  'settings:setOperatorSession': 'settings.change',
  'settings:rememberWelcome': 'settings.change',
  'certificates:issue': 'ca.certificateIssue',
  'certificates:renew': 'ca.certificateRenew',
  'certificates:revoke': 'ca.certificateRevoke',
  'certificates:suspend': 'ca.certificateSuspend',
  'certificates:resume': 'ca.certificateResume',
  'certificates:download': 'ca.certificateDownload',
  'holders:create': 'holder.create',
  'holders:update': 'holder.update',
  'holders:importCsv': 'holder.import',
  'holders:exportCsv': 'holder.export',
  'directory:registerCard': 'card.issue',
  'letters:deliver': 'letter.send',
  'letters:markSent': 'letter.send',
  'letters:updateSettings': 'settings.change',
  'audit:verify': 'audit.verify',
  'audit:exportCsv': 'audit.export',
  'audit:acknowledgeLoss': 'audit.lossAcknowledge',
  // The holder's kiosk: the holder is the actor, the channel is kiosk (a call without a session is recorded as the kiosk's).
  'kiosk:begin': 'kiosk.sessionStart',
  'kiosk:signIn': 'card.pinVerify',
  'kiosk:unblockPin': 'card.unblockWithPuk',
  'kiosk:offlineUnblockBegin': 'card.unblockChallenge',
  'kiosk:activate': 'card.activate',
  'kiosk:changePin': 'card.pinChange',
  'kiosk:changePuk': 'card.pukChange',
  'kiosk:certificate': 'ca.certificateDownload',
  'kiosk:contract': 'contract.view',
  'kiosk:suspend': 'card.suspend',
  'kiosk:revoke': 'card.revoke',
  'kiosk:signOut': 'kiosk.sessionEnd',
  'kiosk:stolenCardBegin': 'kiosk.stolenCard',
  'kiosk:stolenCardComplete': 'kiosk.stolenCard',
  'kiosk:stolenCardCancel': 'kiosk.stolenCard',
  // The holder's second factor (issue 15).
  'account:removeSecondFactor': 'secondFactor.remove',
  'account:importOtpTokens': 'otpToken.import',
  'account:assignOtpToken': 'otpToken.assign',
  'kiosk:totpBegin': 'secondFactor.enrolBegin',
  'kiosk:totpConfirm': 'secondFactor.enrol',
  'kiosk:totpRemove': 'secondFactor.remove',
  // The holder's account: contact data, lost info, identity document (issue 15).
  'account:changeContact': 'account.contactChange',
  'account:lostInfoBegin': 'account.lostInfo',
  'account:lostInfoComplete': 'account.lostInfo',
  'account:submitDocument': 'account.documentSubmit',
  'account:documentScan': 'account.documentView',
  'account:approveDocument': 'account.documentApprove',
  'account:rejectDocument': 'account.documentReject',
  'kiosk:contactChangeBegin': 'account.contactChange',
  'kiosk:contactChangeConfirm': 'account.contactChange',
  'kiosk:contactVerifyBegin': 'account.contactVerify',
  'kiosk:contactVerifyConfirm': 'account.contactVerify',
  'kiosk:lostInfoBegin': 'account.lostInfo',
  'kiosk:lostInfoComplete': 'account.lostInfo',
  'kiosk:submitDocument': 'account.documentSubmit',
  // Holder notifications (issue 15 §6).
  'notify:setSettings': 'settings.change',
  'notify:test': 'notify.send',
  'notify:retry': 'notify.retry',
  // The holder's recovery code (issue 15).
  'account:resetRecoveryCode': 'account.recoveryCodeIssue',
  'kiosk:recoveryBegin': 'account.recoveryCodeCheck',
  'kiosk:recoveryComplete': 'account.recoveryUnblock',
  // Mobile IDs at the desk (issue 16); the phones' enrollments are recorded by the service.
  'mobile:issue': 'mobile.issue',
  'mobile:lock': 'mobile.lock',
  'mobile:unlock': 'mobile.unlock',
  'mobile:revoke': 'mobile.revoke',
  'mobile:cancel': 'mobile.cancel',
  'mobile:migrate': 'mobile.migrate',
  // Operator accounts (issue 17 §1): refusals (the last CA administrator, a removed account) are recorded by the directory.
  'operators:add': 'operator.added',
  'operators:setRoles': 'operator.rolesChanged',
  'operators:suspend': 'operator.suspended',
  'operators:resume': 'operator.resumed',
  'operators:remove': 'operator.removed',
  // Mobile IDs at the kiosk (issue 16): the session's holder only; refusals are recorded by the kiosk's mobile service.
  'kiosk:mobileIssue': 'mobile.issue',
  'kiosk:mobileCancel': 'mobile.cancel',
  'kiosk:mobileLock': 'mobile.lock',
  'kiosk:mobileRevoke': 'mobile.revoke',
  'kiosk:mobileMigrate': 'mobile.migrate',
  // The desk's operator session (issue 17 §2).
  'session:signIn': 'operator.signInRefused',
  'session:signOut': 'operator.signedOut',
  // Two-person control at the desk (issue 17 §4): `operator.approved`, or a refusal recorded as a refused sign-in with purpose approval.
  'approvals:approveWithCard': 'operator.signInRefused',
} as const satisfies Record<WriteChannel, AuditAction>;

export function recordFailedWrites(handlers: ContractHandlers, audit: AuditTrail, operatorId: string, log: Logger): ContractHandlers {
  const wrapped: Record<string, unknown> = { ...handlers };
  for (const [channel, action] of Object.entries(writeChannelActions) as [WriteChannel, AuditAction][]) {
    const handler = handlers[channel] as (args: unknown, context: CallContext) => unknown;
    wrapped[channel] = async (args: unknown, context: CallContext) => {
      try {
        return await handler(args, context);
      } catch (error) {
        const operation = operationOf(context, operatorId);
        const code = error instanceof CardDeskError ? error.code : 'INTERNAL';
        await audit
          .record({ action, outcome: 'failure', reason: code, actor: operation.actor, channel: operation.channel, details: { channel } })
          .catch((failure: unknown) => log.error('a failed call could not be recorded', { channel, error: failure }));
        throw error;
      }
    };
  }
  return wrapped as ContractHandlers;
}
