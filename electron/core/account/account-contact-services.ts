/**
 * Builds the contact, lost-info and document services from the vault, the audit trail and the
 * ports other parts implement (for app-core.ts and the CLI's account-ports.ts).
 */
import type { AuditTrail } from '../audit/audit-trail';
import type { LifecycleServices } from '../lifecycle/lifecycle-services';
import { ChangeRecorder } from '../vault/change-events';
import type { VaultServices } from '../vault/vault-services';
import type { NotificationQueue, OneTimeCodes, SecondFactor } from './account-ports';
import { ContactService } from './contact-service';
import { DocumentService } from './document-service';
import { LostInfoService, type RecoveryCodeIssuer } from './lost-info-service';
import { sendUserNumberLetter } from './user-number-letter';

export interface AccountContactPorts {
  readonly queue: NotificationQueue;
  readonly codes: OneTimeCodes;
  readonly secondFactor: SecondFactor;
  readonly recoveryCodes: RecoveryCodeIssuer;
}

export interface AccountContactServiceSet {
  readonly contact: ContactService;
  readonly lostInfo: LostInfoService;
  readonly documents: DocumentService;
}

export function createAccountContactServices(
  deps: AccountContactPorts & {
    readonly vault: Pick<VaultServices, 'access' | 'keyring' | 'directory'>;
    readonly audit: AuditTrail;
    readonly lifecycle: { readonly deps: Pick<LifecycleServices['deps'], 'outbox' | 'policy'> };
    readonly clock?: () => Date;
  },
): AccountContactServiceSet {
  const { vault, audit, lifecycle } = deps;
  const clock = deps.clock ?? (() => new Date());
  return {
    contact: new ContactService({ directory: vault.directory, codes: deps.codes, queue: deps.queue, secondFactor: deps.secondFactor, audit, clock }),
    lostInfo: new LostInfoService({
      directory: vault.directory,
      commit: (changes, event) => new ChangeRecorder(vault.access, audit).commit(changes, event),
      codes: deps.codes,
      queue: deps.queue,
      recoveryCodes: deps.recoveryCodes,
      audit,
      userNumberRule: () => lifecycle.deps.policy().userNumberRecipient,
      userNumberLetter: async (holder, op) => {
        await sendUserNumberLetter({ outbox: lifecycle.deps.outbox, letterSender: () => lifecycle.deps.policy().letterSender, audit, clock }, holder, op);
      },
    }),
    documents: new DocumentService({ access: vault.access, keyring: vault.keyring, directory: vault.directory, audit, clock }),
  };
}
