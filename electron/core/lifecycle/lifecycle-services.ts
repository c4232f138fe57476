/** Builds the card life-cycle services over the vault services, for a composition root (app, CLI, tests, bench). */
import { join } from 'node:path';
import { defaultIssuancePolicy, type WorkflowProgress } from '../../shared/schemas/lifecycle';
import type { AuditTrail } from '../audit/audit-trail';
import type { ReaderHolds } from '../cards/reader-holds';
import { LetterOutbox } from '../letters/outbox';
import type { VaultServices } from '../vault/vault-services';
import { CardIssuer } from './card-issuer';
import { CardKeyStore } from './card-keys';
import { CardLifecycle } from './card-lifecycle';
import { KeyEscrow } from './key-escrow';
import type { CardLifecycleDeps } from './lifecycle-deps';
import { PersonalisationStore } from './personalisations';

export interface LifecycleServices {
  readonly issuer: CardIssuer;
  readonly lifecycle: CardLifecycle;
  readonly deps: CardLifecycleDeps;
}

export function createLifecycleServices(options: {
  dataDir: string;
  vault: VaultServices;
  holds: ReaderHolds;
  audit: AuditTrail;
  emit?: (progress: WorkflowProgress) => void;
  clock?: () => Date;
}): LifecycleServices {
  const { vault } = options;
  const clock = options.clock ?? (() => new Date());
  const deps: CardLifecycleDeps = {
    holds: options.holds,
    emit: options.emit ?? (() => {}),
    audit: options.audit,
    vault: { keyring: vault.keyring, ca: vault.ca, directory: vault.directory, certificates: vault.certificates, access: vault.access },
    cardKeys: new CardKeyStore(vault.access, vault.keyring, clock),
    escrow: new KeyEscrow(vault.access, vault.keyring, options.audit, clock),
    personalisations: new PersonalisationStore(vault.access),
    outbox: new LetterOutbox(join(options.dataDir, 'outbox'), vault.access, clock),
    policy: () => vault.access.storage().meta.settings.issuancePolicy ?? defaultIssuancePolicy,
    clock,
  };
  const { vault: lifecycleVault, ...services } = deps;
  const issuerVault = { keyring: lifecycleVault.keyring, ca: lifecycleVault.ca, directory: lifecycleVault.directory, certificates: lifecycleVault.certificates };
  return { issuer: new CardIssuer({ ...services, vault: issuerVault }), lifecycle: new CardLifecycle(deps), deps };
}
