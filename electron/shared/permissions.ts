/**
 * Which operator roles grant which permissions (issue 17 §1, §3). Each contract channel names the
 * permission it needs (electron/shared/contract.ts); the core checks it against the calling
 * operator's roles before any service runs (electron/core/operators/permission-check.ts). Plain
 * constants, no zod: the renderer may import them to explain a refusal or hide what it cannot do.
 */
import type { channelPermissions, operatorRoles } from './enums';

export type OperatorRole = (typeof operatorRoles)[number];
export type ChannelPermission = (typeof channelPermissions)[number];

/** What each role may do; `open` needs no role, `holderSelf` is never an operator's. */
export const rolePermissions: Readonly<Record<OperatorRole, readonly ChannelPermission[]>> = {
  /** Holders, PIN unblock and reset, suspend and resume, the holder's account at the counter. */
  helpdesk: ['directory.read', 'directory.write', 'card.service'],
  /** Issue, replace, renew, retire and revoke cards and certificates; mobile IDs. */
  issuer: ['directory.read', 'directory.write', 'card.issue'],
  /** The CA, its profiles, CRL and OCSP, the desk's settings and policy, backups. */
  caAdministrator: ['directory.read', 'ca.admin', 'kiosk.manage', 'operators.manage'],
  /** Escrowed key recovery (which always needs a second operator's approval as well). */
  keyRecoveryOfficer: ['directory.read', 'key.recover'],
  /** Read-only: the directory, the access history and its verification. */
  auditor: ['directory.read', 'audit.read'],
  /** Starts and unlocks kiosks and sets them up. */
  kioskManager: ['kiosk.manage'],
};

/** Whether any of `roles` grants `permission` (`open` always; `holderSelf` never: it is the kiosk's). */
export function rolesPermit(roles: readonly OperatorRole[], permission: ChannelPermission): boolean {
  if (permission === 'open') return true;
  return roles.some((role) => rolePermissions[role].includes(permission));
}

/** The roles that grant a permission, for the refusal's message ("needs the issuer role"). */
export function rolesGranting(permission: ChannelPermission): OperatorRole[] {
  return (Object.keys(rolePermissions) as OperatorRole[]).filter((role) => rolePermissions[role].includes(permission));
}
