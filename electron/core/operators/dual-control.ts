/**
 * Two-person control (issue 17 §4) for the most dangerous actions: escrowed-key recovery, CA key
 * creation, import and renewal, vault restore and passphrase change, operator role changes. The
 * operator who asks gets a request with a one-time approval code, valid 10 minutes; a second
 * operator, whose roles permit the same action, approves it (at the same desk with their card, or
 * from their own CLI session with the code); then the first runs the action once, with the
 * approval, and the events name both. Nobody approves their own request.
 *
 * Requests are records in the vault (a CLI command and the desk's window, or two CLI sessions,
 * are different processes that open the vault in turn). The code has 50 random bits and is kept
 * only as its SHA-256, compared in constant time; a request is bound to what it approves (the
 * action and a summary of its non-secret arguments) and is used up by the first run.
 */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { rolesPermit, type ChannelPermission } from '../../shared/permissions';
import type { AuditTrail } from '../audit/audit-trail';
import type { OperationContext } from '../operation-context';
import { ChangeRecorder } from '../vault/change-events';
import type { VaultAccess } from '../vault/vault-access';
import type { OperatorSession } from './permission-check';

export const APPROVALS = 'approvals';
export const APPROVAL_MINUTES = 10;

export const dualActions = ['ca.create', 'ca.import', 'ca.renew', 'vault.restore', 'vault.passphrase', 'key.recover', 'operator.roles'] as const;
export type DualAction = (typeof dualActions)[number];

export interface ApprovalRecord {
  readonly id: string;
  readonly action: DualAction;
  /** What an approver's roles must permit: the action's own permission. */
  readonly permission: ChannelPermission;
  /** What is approved, as the approver is shown it (no secrets). */
  readonly summary: string;
  readonly requestedBy: string;
  readonly codeHash: string;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly approvedBy: string | null;
  readonly approvedAt: string | null;
  /** The approver's operator card, when they approved at the desk with it. */
  readonly approverCard?: string | undefined;
  readonly usedAt: string | null;
}

export type ApproveRefusal = 'unknown' | 'expired' | 'ownRequest' | 'notPermitted' | 'alreadyApproved' | 'used';
export type UseRefusal = 'unknown' | 'expired' | 'notApproved' | 'otherRequest' | 'used';

export const approvalRefusalText: Readonly<Record<ApproveRefusal | UseRefusal, string>> = {
  unknown: 'There is no approval request with that code.',
  expired: `The approval request has expired (requests are valid ${APPROVAL_MINUTES} minutes); ask again.`,
  ownRequest: 'Nobody can approve their own request: a second operator must approve it.',
  notPermitted: "The approving operator's roles do not permit this action.",
  alreadyApproved: 'That request was approved already.',
  used: 'That approval was used already; ask again.',
  notApproved: 'The request has not been approved yet: a second operator approves it first.',
  otherRequest: 'That approval is for another action, another operator or other arguments.',
};

/** Ten characters of Crockford's base32 (no I, L, O, U), shown as XXXXX-XXXXX. */
function newCode(): string {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  const bytes = randomBytes(10);
  const chars = [...bytes].map((byte) => alphabet[byte & 31]);
  return `${chars.slice(0, 5).join('')}-${chars.slice(5).join('')}`;
}

function normalised(code: string): string {
  return code.trim().toUpperCase().replace(/[\s-]/g, '').replace(/[IL]/g, '1').replace(/O/g, '0');
}

function hashOf(code: string): string {
  return createHash('sha256').update(normalised(code), 'utf8').digest('hex');
}

export class DualControl {
  constructor(
    private readonly access: VaultAccess,
    private readonly audit: AuditTrail,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  #find(code: string): ApprovalRecord | null {
    const wanted = Buffer.from(hashOf(code), 'hex');
    for (const record of this.access.storage().records.values<ApprovalRecord>(APPROVALS)) {
      const stored = Buffer.from(record.codeHash, 'hex');
      if (stored.length === wanted.length && timingSafeEqual(stored, wanted)) return record;
    }
    return null;
  }

  #expired(record: ApprovalRecord): boolean {
    return Date.parse(record.expiresAt) <= this.clock().getTime();
  }

  async #save(record: ApprovalRecord, op: OperationContext, action: 'operator.approvalRequested' | 'operator.approved' | 'operator.approvalUsed', details: Record<string, string>): Promise<void> {
    await new ChangeRecorder(this.access, this.audit).commit([{ collection: APPROVALS, id: record.id, record }], {
      action,
      outcome: 'success',
      actor: op.actor,
      channel: op.channel,
      details: { request: record.id, approvalOf: record.action, summary: record.summary.slice(0, 200), requestedBy: record.requestedBy, ...details },
    });
  }

  /** Asks for a second operator's approval; the code is returned once (the vault keeps its hash). */
  async request(input: { action: DualAction; permission: ChannelPermission; summary: string }, requester: OperatorSession, op: OperationContext): Promise<{ id: string; code: string; expiresAt: string }> {
    const now = this.clock();
    const code = newCode();
    const record: ApprovalRecord = {
      id: randomUUID(),
      ...input,
      requestedBy: requester.operatorId,
      codeHash: hashOf(code),
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + APPROVAL_MINUTES * 60_000).toISOString(),
      approvedBy: null,
      approvedAt: null,
      usedAt: null,
    };
    await this.#save(record, op, 'operator.approvalRequested', {});
    return { id: record.id, code, expiresAt: record.expiresAt };
  }

  /** What a request asks, for the approver to read before approving (null: no such code). */
  describe(code: string): Pick<ApprovalRecord, 'action' | 'summary' | 'requestedBy' | 'expiresAt'> | null {
    const record = this.#find(code);
    return record === null ? null : { action: record.action, summary: record.summary, requestedBy: record.requestedBy, expiresAt: record.expiresAt };
  }

  /** A second operator approves; refused for the requester, a role that does not permit the action, a stale code. */
  async approve(code: string, approver: OperatorSession, op: OperationContext): Promise<{ ok: true; record: ApprovalRecord } | { ok: false; reason: ApproveRefusal }> {
    return this.#approve(this.#find(code), approver, op, {});
  }

  /** At the same desk (issue 17 §4): the request is named by its id, the approver proved with their card (`details`: its serial). */
  async approveById(id: string, approver: OperatorSession, op: OperationContext, details: Record<string, string>): Promise<{ ok: true; record: ApprovalRecord } | { ok: false; reason: ApproveRefusal }> {
    return this.#approve(this.byId(id), approver, op, details);
  }

  byId(id: string): ApprovalRecord | null {
    return [...this.access.storage().records.values<ApprovalRecord>(APPROVALS)].find((record) => record.id === id) ?? null;
  }

  /**
   * The desk's re-run (issue 17 §4): the requester's approved, unused, unexpired request for exactly
   * this action and summary is used up, once; null when there is none (ask for one).
   */
  async useApproved(input: { action: DualAction; summary: string }, requester: OperatorSession, op: OperationContext): Promise<ApprovalRecord | null> {
    const record = [...this.access.storage().records.values<ApprovalRecord>(APPROVALS)].find((r) => r.usedAt === null && r.approvedBy !== null && !this.#expired(r) && r.action === input.action && r.summary === input.summary && r.requestedBy === requester.operatorId);
    if (record === undefined) return null;
    const used: ApprovalRecord = { ...record, usedAt: this.clock().toISOString() };
    await this.#save(used, op, 'operator.approvalUsed', { approvedBy: record.approvedBy ?? '' });
    return used;
  }

  async #approve(record: ApprovalRecord | null, approver: OperatorSession, op: OperationContext, details: Record<string, string>): Promise<{ ok: true; record: ApprovalRecord } | { ok: false; reason: ApproveRefusal }> {
    if (record === null) return { ok: false, reason: 'unknown' };
    if (record.usedAt !== null) return { ok: false, reason: 'used' };
    if (this.#expired(record)) return { ok: false, reason: 'expired' };
    if (record.approvedBy !== null) return { ok: false, reason: 'alreadyApproved' };
    if (record.requestedBy === approver.operatorId) return { ok: false, reason: 'ownRequest' };
    if (!rolesPermit(approver.roles, record.permission)) return { ok: false, reason: 'notPermitted' };
    const approved: ApprovalRecord = { ...record, approvedBy: approver.operatorId, approvedAt: this.clock().toISOString(), ...(details['approverCard'] === undefined ? {} : { approverCard: details['approverCard'] }) };
    await this.#save(approved, op, 'operator.approved', { ...details, approvedBy: approver.operatorId });
    return { ok: true, record: approved };
  }

  /** The requester runs the approved action: once, for what was approved. */
  async use(code: string, input: { action: DualAction; summary: string }, requester: OperatorSession, op: OperationContext): Promise<{ ok: true; approvedBy: string } | { ok: false; reason: UseRefusal }> {
    const record = this.#find(code);
    if (record === null) return { ok: false, reason: 'unknown' };
    if (record.usedAt !== null) return { ok: false, reason: 'used' };
    if (this.#expired(record)) return { ok: false, reason: 'expired' };
    if (record.action !== input.action || record.summary !== input.summary || record.requestedBy !== requester.operatorId) return { ok: false, reason: 'otherRequest' };
    if (record.approvedBy === null) return { ok: false, reason: 'notApproved' };
    await this.#save({ ...record, usedAt: this.clock().toISOString() }, op, 'operator.approvalUsed', { approvedBy: record.approvedBy });
    return { ok: true, approvedBy: record.approvedBy };
  }
}
