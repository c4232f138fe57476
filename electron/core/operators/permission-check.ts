/**
 * Who may call what (issue 17 §3), checked in the core before any service runs: every contract
 * channel names the permission it needs (electron/shared/contract.ts) and the desk's operator
 * session holds roles that grant permissions (electron/shared/permissions.ts). A refusal is a
 * NOT_PERMITTED error that says which role is needed, and an `operator.denied` audit event.
 * Kiosk calls are not operators' calls: the kiosk's own holder session decides there.
 */
import { channels, type ChannelName } from '../../shared/contract';
import { operatorRoles } from '../../shared/enums';
import { CardDeskError } from '../../shared/errors';
import { rolesGranting, rolesPermit, type ChannelPermission, type OperatorRole } from '../../shared/permissions';
import { operationOf, type CallContext } from '../api/context';
import type { ContractHandlers } from '../api/handlers';
import type { AuditTrail } from '../audit/audit-trail';
import type { Logger } from '../log/logger';

/** The operator a desk call acts for, and the roles their session holds. */
export interface OperatorSession {
  readonly operatorId: string;
  readonly roles: readonly OperatorRole[];
}

/**
 * The desk's session until operator sign-in with a card exists (issue 17 §2): the operating-system
 * account, holding every role, as every desk call did before permissions were checked.
 */
export function localOperatorSession(osUser: string): OperatorSession {
  return { operatorId: osUser, roles: operatorRoles };
}

const roleNames: Readonly<Record<OperatorRole, string>> = {
  helpdesk: 'helpdesk',
  issuer: 'issuer',
  caAdministrator: 'CA administrator',
  keyRecoveryOfficer: 'key-recovery officer',
  auditor: 'auditor',
  kioskManager: 'kiosk manager',
};

/** "<what> needs the issuer role", "<what> needs the helpdesk or issuer role". */
export function permissionRefusal(what: string, permission: ChannelPermission): string {
  const roles = rolesText(permission);
  return roles === null ? `${what} is not an operator's action.` : `${what} needs ${roles}.`;
}

/** "the issuer role", "the helpdesk or issuer role"; null when no role grants it. */
export function rolesText(permission: ChannelPermission): string | null {
  const roles = rolesGranting(permission).map((role) => roleNames[role]);
  return roles.length === 0 ? null : `the ${roles.join(' or ')} role`;
}

export function refusalMessage(channel: ChannelName): string {
  return permissionRefusal(channel, channels[channel].permission);
}

/**
 * Wraps every handler with the permission check: `session(channel)` is asked at each call (a session
 * can end or change between two calls); null means no operator is signed in, and only `open`
 * channels answer then. The session goes on the call's context, so the handler's audit events name
 * its operator (operationOf).
 */
export function requirePermissions(handlers: ContractHandlers, session: (channel: ChannelName) => OperatorSession | null, audit: AuditTrail, log: Logger): ContractHandlers {
  const wrapped: Record<string, unknown> = {};
  for (const channel of Object.keys(handlers) as ChannelName[]) {
    const handler = handlers[channel] as (args: unknown, context: CallContext) => unknown;
    const permission = channels[channel].permission;
    wrapped[channel] = async (args: unknown, context: CallContext) => {
      if (context.surface === 'desk') {
        const current = session(channel);
        if (!rolesPermit(current?.roles ?? [], permission)) {
          const operation = operationOf(context, current?.operatorId ?? 'nobody');
          await audit
            .record({ action: 'operator.denied', outcome: 'failure', reason: 'NOT_PERMITTED', actor: operation.actor, channel: operation.channel, details: { channel, needs: permission, roles: (current?.roles ?? []).join(',') } })
            .catch((error: unknown) => log.error('a refused call could not be recorded', { channel, error }));
          throw new CardDeskError('NOT_PERMITTED', current === null ? `${channel} needs an operator to sign in first.` : refusalMessage(channel));
        }
        if (current !== null) return handler(args, { ...context, operator: { operatorId: current.operatorId } });
      }
      return handler(args, context);
    };
  }
  return wrapped as ContractHandlers;
}
