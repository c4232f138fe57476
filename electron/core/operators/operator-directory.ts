/**
 * Operator accounts (issue 17 §1): the people who work at the desk, each a holder of the directory
 * with one or more roles, kept in the vault's record store (collection `operators`) so an account
 * and its audit event are one journal line (change-events.ts). Refusals are values, recorded as
 * failures. Removed accounts stay (the audit log names them) and never change again; one account
 * per holder, ever, so an old operator card can never sign in as a later account of the same person.
 *
 * The desk must always keep an active CA administrator, or no one could manage operators again:
 * the last one cannot be suspended, removed or lose that role, and the first account made must be one.
 *
 * An account's cards are not stored: they are the `operator`-profile certificates the CA issued
 * to the holder for a card (certificate records carry holderId, cardSerial and profile), so
 * nothing has to be kept in step when an operator card is issued, replaced or revoked.
 */
import { randomUUID } from 'node:crypto';
import { operatorRoles } from '../../shared/enums';
import { CardDeskError } from '../../shared/errors';
import type { OperatorChangeResult, OperatorRefusal } from '../../shared/schemas/operator-accounts';
import type { OperatorCard, OperatorRecord, OperatorState } from '../../shared/schemas/operators';
import type { OperatorRole } from '../../shared/permissions';
import type { AuditAction } from '../../shared/schemas/audit';
import type { AuditTrail } from '../audit/audit-trail';
import { CERTIFICATES, type CertificateRecord } from '../ca/certificate-records';
import { normaliseSerial } from '../ca/certificate-service';
import type { HolderDirectory } from '../directory/holder-directory';
import type { OperationContext } from '../operation-context';
import { ChangeRecorder } from '../vault/change-events';
import type { VaultAccess } from '../vault/vault-access';
import type { OperatorLookup } from './operator-lookup';
import { OperatorIndex, OPERATORS, type OperatorIndexData, type StoredOperator } from './operator-index';

export { OPERATORS } from './operator-index';

type OperatorAction = Extract<AuditAction, `operator.${'added' | 'rolesChanged' | 'suspended' | 'resumed' | 'removed'}`>;

export interface OperatorDirectoryDeps {
  readonly access: VaultAccess;
  readonly audit: AuditTrail;
  readonly holders: Pick<HolderDirectory, 'index'>;
  readonly clock?: () => Date;
}

const ADMIN: OperatorRole = 'caAdministrator';

/** At least one role, each known and named once (the channels' schema says so too; the CLI and other callers come here directly). */
function checkedRoles(roles: readonly OperatorRole[]): OperatorRole[] {
  if (roles.length === 0) throw new CardDeskError('INVALID_ARGUMENTS', 'An operator needs at least one role.');
  const unknown = roles.filter((role) => !(operatorRoles as readonly string[]).includes(role));
  if (unknown.length > 0) throw new CardDeskError('INVALID_ARGUMENTS', `There is no operator role ${unknown.join(', ')}.`);
  return [...new Set(roles)];
}

const refusalMessages: Readonly<Record<OperatorRefusal, string>> = {
  holderNotFound: 'There is no active holder with that id; an operator is an active person of the directory.',
  alreadyOperator: 'That holder has an operator account already (a removed account is not made again).',
  operatorNotFound: 'There is no operator with that id.',
  removed: 'That operator was removed; a removed account does not change any more.',
  lastAdministrator: 'The desk must keep an active CA administrator: this would leave it without one.',
};

export class OperatorDirectory implements OperatorLookup {
  readonly #recorder: ChangeRecorder;
  readonly #index = new OperatorIndex();

  constructor(private readonly deps: OperatorDirectoryDeps) {
    this.#recorder = new ChangeRecorder(deps.access, deps.audit);
  }

  #records() {
    return this.deps.access.storage().records;
  }

  #indexed(): OperatorIndexData {
    return this.#index.of(this.#records());
  }

  #now(): string {
    return (this.deps.clock?.() ?? new Date()).toISOString();
  }

  /** A holder's operator cards: the operator certificates on a card that are not revoked, oldest first. */
  #cardsOf(holderId: string, index: OperatorIndexData = this.#indexed()): OperatorCard[] {
    return (index.certificatesByHolder.get(holderId) ?? [])
      .filter((c) => c.cardSerial !== null && c.status !== 'revoked')
      .map((c) => ({ cardSerial: c.cardSerial!, certificateSerial: c.serial.toLowerCase(), addedAt: c.issuedAt }));
  }

  #withCards(stored: StoredOperator, index?: OperatorIndexData): OperatorRecord {
    return { ...stored, cards: this.#cardsOf(stored.holderId, index) };
  }

  /** Every account, removed ones too, by name. */
  list(): OperatorRecord[] {
    const index = this.#indexed();
    return [...index.operatorsByHolder.values()]
      .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id))
      .map((stored) => this.#withCards(stored, index));
  }

  byId(operatorId: string): OperatorRecord | null {
    const stored = this.#records().get<StoredOperator>(OPERATORS, operatorId);
    return stored === undefined ? null : this.#withCards(stored);
  }

  /** The CA's operator-profile certificate with this serial, then the account of its holder (any state). */
  byCertificate(certificateSerial: string): OperatorRecord | null {
    const certificate = this.#records().get<CertificateRecord>(CERTIFICATES, normaliseSerial(certificateSerial));
    if (certificate === undefined || certificate.profile !== 'operator' || certificate.holderId === null) return null;
    const stored = this.#indexed().operatorsByHolder.get(certificate.holderId);
    return stored === undefined ? null : this.#withCards(stored);
  }

  /**
   * Whether an active CA administrator holds an operator card whose certificate is valid now (not on
   * hold, not expired; see OperatorLookup). Asked at every desk call: it reads the index (operator
   * certificates by holder), not every certificate of the CA.
   */
  bootstrapOver(): boolean {
    let index: OperatorIndexData;
    try {
      index = this.#indexed();
    } catch (error) {
      // No vault to read (another CardDesk holds it, none made yet): no accounts can be known, and
      // every service answers with that reason itself (the desk shows "in use", the welcome flow).
      if (error instanceof CardDeskError) return false;
      throw error;
    }
    // Only a certificate that signs in today counts: a card awaiting activation has its certificates on
    // hold, and ending the bootstrap then would leave nobody able to activate it.
    const now = Date.parse(this.#now());
    return this.#activeAdministrators(index).some((admin) =>
      (index.certificatesByHolder.get(admin.holderId) ?? []).some((c) => c.status === 'valid' && c.cardSerial !== null && Date.parse(c.notAfter) > now),
    );
  }

  /** Told (after the change is applied) whenever the accounts or the certificates changed: the bootstrap may have ended. */
  watch(listener: () => void): () => void {
    return this.#index.watch(listener);
  }

  #activeAdministrators(index: OperatorIndexData = this.#indexed()): StoredOperator[] {
    return [...index.operatorsByHolder.values()].filter((operator) => operator.state === 'active' && operator.roles.includes(ADMIN));
  }

  /** Whether taking `operator` out of the active CA administrators would leave none. */
  #isLastAdministrator(operator: StoredOperator): boolean {
    const admins = this.#activeAdministrators();
    return admins.length === 1 && admins[0]!.id === operator.id;
  }

  async #refuse(action: OperatorAction, reason: OperatorRefusal, op: OperationContext, details: Record<string, string>, holderId?: string): Promise<OperatorChangeResult> {
    await this.deps.audit.record({ action, outcome: 'failure', reason, ...(holderId === undefined ? {} : { holderId }), details, ...op });
    return { ok: false, reason, message: refusalMessages[reason] };
  }

  async #save(action: OperatorAction, next: StoredOperator, op: OperationContext, details: Record<string, string> = {}): Promise<OperatorChangeResult> {
    // Checked and changed in one step: nothing runs between the caller's checks and this (see ChangeRecorder.commit).
    await this.#recorder.commit([{ collection: OPERATORS, id: next.id, record: next }], {
      action,
      outcome: 'success',
      holderId: next.holderId,
      details: { operatorId: next.id, name: next.name, roles: next.roles.join(','), state: next.state, ...details },
      ...op,
    });
    return { ok: true, operator: this.#withCards(next) };
  }

  /** An account for an active holder of the directory, named as the holder is. */
  async add(holderId: string, requested: readonly OperatorRole[], op: OperationContext): Promise<OperatorChangeResult> {
    const roles = checkedRoles(requested);
    const holder = this.deps.holders.index().get(holderId);
    const details = { roles: roles.join(',') };
    if (holder === undefined || holder.state !== 'active') return this.#refuse('operator.added', 'holderNotFound', op, details, holder?.id);
    if (this.#indexed().operatorsByHolder.has(holderId)) return this.#refuse('operator.added', 'alreadyOperator', op, details, holderId);
    if (this.#activeAdministrators().length === 0 && !roles.includes(ADMIN)) return this.#refuse('operator.added', 'lastAdministrator', op, details, holderId);
    const now = this.#now();
    const record: StoredOperator = { id: randomUUID(), holderId, name: `${holder.firstName} ${holder.lastName}`.trim().slice(0, 200), roles, state: 'active', createdAt: now, updatedAt: now };
    return this.#save('operator.added', record, op);
  }

  /** The account to change, or why it cannot change. */
  #changeable(id: string): StoredOperator | OperatorRefusal {
    const operator = this.#records().get<StoredOperator>(OPERATORS, id);
    if (operator === undefined) return 'operatorNotFound';
    if (operator.state === 'removed') return 'removed';
    return operator;
  }

  async setRoles(id: string, requested: readonly OperatorRole[], op: OperationContext): Promise<OperatorChangeResult> {
    const roles = checkedRoles(requested);
    const operator = this.#changeable(id);
    const details = { operatorId: id, roles: roles.join(',') };
    if (typeof operator === 'string') return this.#refuse('operator.rolesChanged', operator, op, details);
    if (!roles.includes(ADMIN) && this.#isLastAdministrator(operator)) return this.#refuse('operator.rolesChanged', 'lastAdministrator', op, details, operator.holderId);
    return this.#save('operator.rolesChanged', { ...operator, roles, updatedAt: this.#now() }, op, { previousRoles: operator.roles.join(',') });
  }

  suspend(id: string, op: OperationContext): Promise<OperatorChangeResult> {
    return this.#setState(id, 'suspended', 'operator.suspended', op);
  }

  resume(id: string, op: OperationContext): Promise<OperatorChangeResult> {
    return this.#setState(id, 'active', 'operator.resumed', op);
  }

  /** The account stays, removed: the audit log names it, and nothing of it is accepted any more. */
  remove(id: string, op: OperationContext): Promise<OperatorChangeResult> {
    return this.#setState(id, 'removed', 'operator.removed', op);
  }

  async #setState(id: string, state: OperatorState, action: OperatorAction, op: OperationContext): Promise<OperatorChangeResult> {
    const operator = this.#changeable(id);
    if (typeof operator === 'string') return this.#refuse(action, operator, op, { operatorId: id });
    // Already so: nothing changes, nothing is recorded.
    if (operator.state === state) return { ok: true, operator: this.#withCards(operator) };
    if (state !== 'active' && this.#isLastAdministrator(operator)) return this.#refuse(action, 'lastAdministrator', op, { operatorId: id }, operator.holderId);
    return this.#save(action, { ...operator, state, updatedAt: this.#now() }, op, { previousState: operator.state });
  }
}
