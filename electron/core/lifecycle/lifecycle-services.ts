/** Builds the card life-cycle services over the vault services, for a composition root (app, CLI, tests, bench). */
import { join } from 'node:path';
import { defaultIssuancePolicy, type IssuancePolicy, type WorkflowProgress } from '../../shared/schemas/lifecycle';
import { ContractService } from '../contracts/contract-service';
import { ContractStore } from '../contracts/contract-store';
import { ContractFontSet } from '../contracts/document/contract-fonts';
import { contractResourceCandidates, locateContractResources } from '../contracts/document/contract-resources';
import { TemplateLibrary } from '../contracts/document/template-library';
import { CardActivation } from './card-activation';
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
import type { NotificationQueue } from '../account/account-ports';
import { RecoveryCodes } from '../account/recovery-codes';
import { ChangeRecorder } from '../vault/change-events';

export interface LifecycleServices {
  readonly issuer: CardIssuer;
  readonly lifecycle: CardLifecycle;
  readonly activation: CardActivation;
  readonly contracts: ContractService;
  readonly deps: CardLifecycleDeps;
  /** The holders' Emergency Recovery Codes (issue 15): issued at issuance and on request. */
  readonly recoveryCodes: RecoveryCodes;
}

export function createLifecycleServices(options: {
  dataDir: string;
  vault: VaultServices;
  holds: ReaderHolds;
  audit: AuditTrail;
  emit?: (progress: WorkflowProgress) => void;
  clock?: () => Date;
  /** The built-in contract templates and fonts (default: beside the bundle, or resources/contracts in a checkout). */
  contractResources?: string;
  /** The notification outbox ('recoveryCodeIssued'); without it no notification is queued. */
  notifications?: NotificationQueue;
}): LifecycleServices {
  const { vault } = options;
  const clock = options.clock ?? (() => new Date());
  const policy = (): IssuancePolicy => vault.access.storage().meta.settings.issuancePolicy ?? defaultIssuancePolicy;
  const resources = once(() => (options.contractResources === undefined ? locateContractResources(contractResourceCandidates(typeof __dirname === 'string' ? __dirname : process.cwd())) : Promise.resolve(options.contractResources)));
  const fonts = once(async () => ContractFontSet.load(await resources()));
  const contracts = new ContractService({
    vault,
    store: new ContractStore(vault.access, clock),
    templates: new TemplateLibrary(options.dataDir, resources, fonts),
    fonts,
    audit: options.audit,
    policy,
    clock,
  });
  const deps: CardLifecycleDeps = {
    holds: options.holds,
    emit: options.emit ?? (() => {}),
    audit: options.audit,
    vault: { keyring: vault.keyring, ca: vault.ca, directory: vault.directory, certificates: vault.certificates, access: vault.access },
    cardKeys: new CardKeyStore(vault.access, vault.keyring, clock),
    escrow: new KeyEscrow(vault.access, vault.keyring, options.audit, clock),
    personalisations: new PersonalisationStore(vault.access, vault.keyring),
    outbox: new LetterOutbox(join(options.dataDir, 'outbox'), vault.access, clock),
    contracts,
    policy,
    clock,
  };
  const recoveryCodes = new RecoveryCodes({
    access: vault.access,
    recorder: new ChangeRecorder(vault.access, options.audit),
    queue: options.notifications ?? null,
    outbox: deps.outbox,
    directory: vault.directory,
    letterSender: () => policy().letterSender,
    now: () => clock().getTime(),
  });
  Object.assign(deps, { recoveryCodes });
  const { vault: lifecycleVault, ...services } = deps;
  const issuerVault = { keyring: lifecycleVault.keyring, ca: lifecycleVault.ca, directory: lifecycleVault.directory, certificates: lifecycleVault.certificates };
  return {
    issuer: new CardIssuer({ ...services, vault: issuerVault }),
    lifecycle: new CardLifecycle(deps),
    activation: new CardActivation({ ...services, vault: issuerVault }),
    contracts,
    deps,
    recoveryCodes,
  };
}

/** A value made on first use and shared after (a failed attempt is tried again next time). */
function once<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | null = null;
  return () => {
    made ??= make().catch((error: unknown) => {
      made = null;
      throw error;
    });
    return made;
  };
}
