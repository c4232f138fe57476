/**
 * Holds a CLI command to the operators' roles (issue 17 §3), once the command has the vault open:
 * a desk without operator accounts is still in its first-run bootstrap and the OS account acts
 * with every role, as the desk's window does; otherwise the command acts for the credential it
 * was given (`--credential FILE`, CARDDESK_CREDENTIAL=FILE, or the CLI session `carddesk signin`
 * left for this account) and only within its roles. A refusal is NOT_PERMITTED with the reason
 * and an `operator.denied` event, before the command does anything.
 */
import { readFile } from 'node:fs/promises';
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { CardDeskError } from '../shared/errors';
import { rolesPermit, type ChannelPermission } from '../shared/permissions';
import type { AuditTrail } from '../core/audit/audit-trail';
import { CliCredentials, credentialRefusalText, type CredentialBinding } from '../core/operators/cli-credentials';
import type { OperatorLookup } from '../core/operators/operator-lookup';
import { permissionRefusal, type OperatorSession } from '../core/operators/permission-check';
import type { OperationContext } from '../core/operation-context';
import type { VaultAccess } from '../core/vault/vault-access';

/** The machine and account this command runs as: a CLI session is bound to both. */
export function currentBinding(): CredentialBinding {
  return { host: hostname(), user: String(userInfo().uid) };
}

/** Where `carddesk signin` leaves this account's CLI session (0600, in the private data folder). */
export function sessionFileOf(dataDir: string): string {
  return join(dataDir, 'cli-sessions', `${userInfo().uid}.credential`);
}

async function readCredential(path: string): Promise<string | null> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

export interface AuthorisationRequest {
  readonly command: string;
  readonly permission: ChannelPermission;
  /** A credential file named by --credential or CARDDESK_CREDENTIAL; it must exist. */
  readonly credentialFile: string | null;
  readonly dataDir: string;
  readonly osOperation: OperationContext;
}

/** The session the command acts for, or a NOT_PERMITTED refusal (recorded). */
export async function authoriseCommand(
  request: AuthorisationRequest,
  vault: { access: VaultAccess; audit: AuditTrail; operators: OperatorLookup },
): Promise<OperatorSession | null> {
  if (request.permission === 'open') return null;
  if (!vault.operators.anyOperator()) return null; // the first-run bootstrap: the OS account, every role
  const refuse = async (message: string, details: Record<string, string>): Promise<never> => {
    await vault.audit.record({ action: 'operator.denied', outcome: 'failure', reason: 'NOT_PERMITTED', actor: request.osOperation.actor, channel: 'cli', details: { command: request.command, needs: request.permission, ...details } });
    throw new CardDeskError('NOT_PERMITTED', message);
  };
  let secret: string | null;
  if (request.credentialFile !== null) {
    secret = await readCredential(request.credentialFile);
    if (secret === null) return refuse(`The credential file ${request.credentialFile} does not exist.`, { credential: 'missing' });
  } else {
    secret = await readCredential(sessionFileOf(request.dataDir));
    if (secret === null) return refuse(`${request.command} needs an operator: sign in with \`carddesk signin\` (operator card and PIN) or give an automation credential with --credential FILE.`, { credential: 'none' });
  }
  const check = new CliCredentials(vault.access, vault.audit, vault.operators).check(secret, currentBinding());
  if (!check.ok) return refuse(credentialRefusalText[check.reason], { credential: check.reason });
  if (!rolesPermit(check.session.roles, request.permission)) {
    return refuse(permissionRefusal(`carddesk ${request.command}`, request.permission), { operator: check.session.operatorId, roles: check.session.roles.join(',') });
  }
  return check.session;
}
