/**
 * Builds the contact, lost-info and document services from the vault, the audit trail and the
 * ports other parts implement (for app-core.ts and the CLI). Until the lead wires the real ports,
 * `accountContactStandIns` gives clearly marked stand-ins: codes and recovery codes are
 * UNAVAILABLE, no second factor is enrolled, and queued messages are kept unsent in the vault.
 */
import { randomUUID } from 'node:crypto';
import { CardDeskError } from '../../shared/errors';
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

/** Where the stand-in queue keeps messages nobody sends yet. */
export const UNSENT_NOTIFICATIONS = 'notificationsUnsent';

/** LEAD: stand-ins until the real ports are wired at merge (see the module comment). */
export function accountContactStandIns(_vault: unknown): AccountContactPorts {
  const unavailable = (what: string) => new CardDeskError('INVALID_STATE', `${what} is not available in this build yet.`);
  return {
    queue: {
      queued: (request) => {
        const id = randomUUID();
        const record = { id, kind: request.kind, holderId: request.holderId, channel: request.channel, language: request.language };
        return { collection: UNSENT_NOTIFICATIONS, id, record };
      },
      wake: () => undefined,
    },
    codes: {
      send: () => Promise.reject(unavailable('Sending one-time codes')),
      check: () => Promise.reject(unavailable('Checking one-time codes')),
    },
    secondFactor: { enrolled: () => false, verify: () => Promise.reject(unavailable('The second factor')) },
    recoveryCodes: { issue: () => Promise.reject(unavailable('Issuing a recovery code')) },
  };
}
