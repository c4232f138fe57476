import { z } from 'zod';

/**
 * Every action CardDesk records, a closed list covering every capability, including the CA
 * events auditors expect (key generation, issuance, renewal, revocation, suspension, CRL and
 * OCSP signing, key escrow and recovery, logins, PIN checks, unblocks, configuration changes).
 * Names are `domain.verb`; the outcome (success/failure) is a separate field, never a name.
 */
export const auditActions = [
  // vault
  'vault.init',
  'vault.unlock',
  'vault.lock',
  'vault.backup',
  'vault.restore',
  'vault.passphraseChange',
  // certificate authority
  'ca.keyGenerate',
  'ca.init',
  'ca.import',
  'ca.export',
  'ca.certificateIssue',
  'ca.certificateRenew',
  'ca.certificateRevoke',
  'ca.certificateSuspend',
  'ca.certificateResume',
  'ca.certificateDownload',
  'ca.crlSign',
  'ca.ocspStart',
  'ca.ocspStop',
  'ca.ocspSign',
  'ca.profileChange',
  // key escrow
  'escrow.keyEscrow',
  'escrow.keyRecover',
  // directory
  'holder.create',
  'holder.update',
  'holder.stateChange',
  'holder.import',
  'holder.export',
  // cards
  'card.issue',
  'card.pinVerify',
  'card.pinChange',
  'card.pukChange',
  'card.unblockWithPuk',
  'card.unblockChallenge',
  'card.unblockResponse',
  'card.pinReset',
  'card.retryCountersSet',
  'card.managementKeyAuthenticate',
  'card.managementKeyChange',
  'card.keyGenerate',
  'card.certificateWrite',
  'card.suspend',
  'card.resume',
  'card.revoke',
  'card.reportLost',
  'card.replace',
  'card.renew',
  'card.retire',
  'card.pinLetter',
  'reader.virtualCardInsert',
  'reader.virtualCardRemove',
  // contracts
  'contract.sign',
  'contract.view',
  'contract.download',
  // sessions and settings
  'operator.login',
  'operator.logout',
  'kiosk.sessionStart',
  'kiosk.sessionEnd',
  'settings.change',
  // the audit log itself
  'audit.verify',
  'audit.export',
] as const;

export const AuditActionSchema = z.enum(auditActions);
export type AuditAction = z.infer<typeof AuditActionSchema>;

export const AuditChannelSchema = z.enum(['desk', 'kiosk', 'cli']);
export type AuditChannel = z.infer<typeof AuditChannelSchema>;

export const AuditActorSchema = z.object({
  kind: z.enum(['operator', 'holder', 'system']),
  /** Operator: OS account or operator id; holder: holder id; system: the component. */
  id: z.string(),
});
export type AuditActor = z.infer<typeof AuditActorSchema>;

export const AuditOutcomeSchema = z.enum(['success', 'failure']);
