/**
 * Two-person control at the desk (issue 17 §4), the desk's side of dual-control.ts: the channels of
 * the dangerous actions refuse with APPROVAL_REQUIRED (and a recorded request) once the first-run
 * bootstrap is over, the same rule as the CLI (cli-authorisation.ts); a second operator approves
 * the request at the same desk with their own operator card and PIN (`approvals:approveWithCard`,
 * the checks of card sign-in); then the requester's same call runs once, with the approval, and
 * every event it records names both operators and the approver's card.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import type { ChannelName, ParsedArgs } from '../../shared/contract';
import { CardDeskError } from '../../shared/errors';
import type { ChannelPermission } from '../../shared/permissions';
import type { ApprovalResult } from '../../shared/schemas/operator-sign-in';
import { operationOf, type CallContext } from '../api/context';
import type { ContractHandlers } from '../api/handlers';
import type { AuditLog } from '../audit/audit-log';
import type { AuditTrail } from '../audit/audit-trail';
import type { CardConnector } from '../readers/card-connection';
import type { VaultServices } from '../vault/vault-services';
import type { CardSignIn } from './card-sign-in';
import { approvalRefusalText, DualControl as DualControlService, type DualAction, type DualControl } from './dual-control';
import type { OperatorLookup } from './operator-lookup';
import { cardSignInFor } from './session-wiring';

interface DualChannel<C extends ChannelName> {
  readonly action: DualAction;
  /** What the approving operator's roles must permit (as `dualControlCommands` for the CLI). */
  readonly approver: ChannelPermission;
  /** What is approved, as the approver reads it: never a secret (a file's digest stands for it). */
  readonly summary: (args: ParsedArgs<C>, lookup: OperatorLookup) => string;
}

const digest = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 16);

/** The desk's channels under two-person control, with their action and what the approver needs. */
export const deskDualChannels: { readonly [C in ChannelName]?: DualChannel<C> } = {
  'ca:init': { action: 'ca.create', approver: 'ca.admin', summary: (a) => `Create the CA (${a.algorithm}): root "${a.rootSubject}", issuing "${a.issuingSubject}"` },
  'ca:import': { action: 'ca.import', approver: 'ca.admin', summary: (a) => `Import a CA from a PKCS#12 file (SHA-256 ${digest(a.pkcs12)}…)` },
  'cards:replace': { action: 'key.recover', approver: 'key.recover', summary: (a) => `Replace card ${a.lostSerial}, recovering its escrowed keys onto the new card` },
  'vault:restore': { action: 'vault.restore', approver: 'ca.admin', summary: (a) => `Restore the vault from the backup ${a.fileName}` },
  'operators:setRoles': { action: 'operator.roles', approver: 'operators.manage', summary: (a, lookup) => `Set the roles of ${lookup.byId(a.id)?.name ?? 'operator'} (${a.id.slice(0, 8)}) to: ${a.roles.join(', ') || '(none)'}` },
};

/** The approval a running call acts under: every audit event it records names both operators. */
const approvalScope = new AsyncLocalStorage<Readonly<Record<string, string>>>();

/** Adds the approval in effect to every event recorded inside a call that runs under one. */
export function nameApproversInEvents(audit: AuditLog): void {
  const base = audit.actorDetails;
  audit.actorDetails = (actor) => {
    const approval = approvalScope.getStore();
    const own = base?.(actor) ?? null;
    return approval === undefined ? own : { ...own, ...approval };
  };
}

export interface DeskDualControlDeps {
  readonly lookup: OperatorLookup;
  /** The approvals kept in the vault (it is open whenever the bootstrap is over). */
  readonly control: () => DualControl;
  readonly osUser: string;
}

/**
 * Wraps the dual-controlled channels (after the permission check, which puts the operator on the
 * context). In the bootstrap (no operator can sign in yet) they run as before.
 */
export function requireDualControl(handlers: ContractHandlers, deps: DeskDualControlDeps): ContractHandlers {
  const wrapped: Record<string, unknown> = { ...handlers };
  for (const [channel, spec] of Object.entries(deskDualChannels) as [ChannelName, DualChannel<never>][]) {
    const handler = handlers[channel] as (args: unknown, context: CallContext) => unknown;
    wrapped[channel] = async (args: unknown, context: CallContext) => {
      if (context.surface !== 'desk' || !deps.lookup.bootstrapOver()) return handler(args, context);
      const requester = context.operator?.operatorId;
      if (requester === undefined) throw new CardDeskError('NOT_PERMITTED', `${channel} needs an operator to sign in first.`);
      const session = { operatorId: requester, roles: [] };
      const input = { action: spec.action, summary: spec.summary(args as never, deps.lookup) };
      const operation = operationOf(context, deps.osUser);
      const control = deps.control();
      const used = await control.useApproved(input, session, operation);
      if (used === null) {
        const asked = await control.request({ ...input, permission: spec.approver }, session, operation);
        throw new CardDeskError('APPROVAL_REQUIRED', `${input.summary}: a second operator must approve this with their operator card and PIN.`, {
          approval: { requestId: asked.id, action: spec.action, summary: input.summary, expiresAt: asked.expiresAt },
        });
      }
      const approvedBy = used.approvedBy ?? '';
      const approverCard = used.approverCard ?? '';
      return approvalScope.run({ requestedBy: requester, approvedBy, ...(approverCard === '' ? {} : { approverCard }), approval: used.id }, () => handler(args, context));
    };
  }
  return wrapped as ContractHandlers;
}

/** `approvals:approveWithCard`: the second operator's card and PIN, the checks of card sign-in, then the request's own. */
export async function approveWithCard(
  deps: { signIn: CardSignIn; control: () => DualControl; audit: AuditTrail },
  request: { requestId: string; reader: string; pin: Buffer },
): Promise<ApprovalResult> {
  const proof = await deps.signIn.proveOperator(request.reader, request.pin, 'desk');
  if (!proof.ok) return proof;
  const approver = { operatorId: proof.operator.id, roles: proof.operator.roles };
  const operation = { actor: { kind: 'operator', id: approver.operatorId }, channel: 'desk' } as const;
  const approved = await deps.control().approveById(request.requestId, approver, operation, { approverCard: proof.cardSerial });
  if (!approved.ok) {
    // A genuine operator card, but not an approval: recorded as its card sign-in's refusals are.
    await deps.audit.record({
      action: 'operator.signInRefused',
      outcome: 'failure',
      reason: approved.reason,
      ...operation,
      cardSerial: proof.cardSerial,
      certificateSerial: proof.certificateSerial,
      details: { reader: request.reader, purpose: 'approval', request: request.requestId },
    });
    return { ok: false, reason: approved.reason, triesLeft: null, message: approvalRefusalText[approved.reason] };
  }
  return { ok: true, approvedBy: approver.operatorId, approverName: proof.operator.name };
}

/** The desk's two-person control, composed: the wrapper for the dangerous channels and the approval channel. */
export function createDeskDualControl(parts: { vault: VaultServices; audit: AuditLog; connector: CardConnector; lookup: OperatorLookup; osUser: string }) {
  const control = (): DualControl => new DualControlService(parts.vault.access, parts.audit);
  const signIn = cardSignInFor({ vault: parts.vault, connector: parts.connector, lookup: parts.lookup, audit: parts.audit });
  nameApproversInEvents(parts.audit);
  return {
    wrap: (handlers: ContractHandlers) => requireDualControl(handlers, { lookup: parts.lookup, control, osUser: parts.osUser }),
    handlers: {
      'approvals:approveWithCard': ({ requestId, reader, pin }: ParsedArgs<'approvals:approveWithCard'>) => approveWithCard({ signIn, control, audit: parts.audit }, { requestId, reader, pin: Buffer.from(pin) }),
    },
  };
}
