/**
 * Holds a CLI command to the operators' roles (issue 17 §3), once the command has the vault open:
 * a desk without operator accounts is still in its first-run bootstrap and the OS account acts
 * with every role, as the desk's window does; otherwise the command acts for the credential it
 * was given (`--credential FILE`, CARDDESK_CREDENTIAL=FILE, or the CLI session `carddesk signin`
 * left for this account) and only within its roles. A refusal is NOT_PERMITTED with the reason
 * and an `operator.denied` event, before the command does anything. A command under two-person
 * control (§4) first gets an approval code for a second operator (`carddesk approve CODE`) and
 * runs when given it back (`--approval CODE`), once.
 */
import { readFile } from 'node:fs/promises';
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { CardDeskError } from '../shared/errors';
import { rolesPermit, type ChannelPermission } from '../shared/permissions';
import type { AuditTrail } from '../core/audit/audit-trail';
import { CliCredentials, credentialRefusalText, type CredentialBinding } from '../core/operators/cli-credentials';
import { approvalRefusalText, DualControl, type DualAction } from '../core/operators/dual-control';
import type { OperatorLookup } from '../core/operators/operator-lookup';
import { permissionRefusal, rolesText, type OperatorSession } from '../core/operators/permission-check';
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
  /** A command under two-person control (command-permissions.ts), with what it is asked to do. */
  readonly dual?: { readonly action: DualAction; readonly approver: ChannelPermission; readonly summary: string; readonly code: string | null };
}

export interface AuthorisedCommand {
  /** Null: the first-run bootstrap (no operator yet) or an open command: the OS account acts. */
  readonly session: OperatorSession | null;
  /** The second operator who approved a command under two-person control. */
  readonly approvedBy: string | null;
}

interface VaultParts {
  access: VaultAccess;
  audit: AuditTrail;
  operators: OperatorLookup;
}

async function refuse(request: AuthorisationRequest, vault: VaultParts, code: 'NOT_PERMITTED' | 'APPROVAL_REQUIRED', message: string, details: Record<string, string>): Promise<never> {
  await vault.audit.record({ action: 'operator.denied', outcome: 'failure', reason: code, actor: request.osOperation.actor, channel: 'cli', details: { command: request.command, needs: request.permission, ...details } });
  throw new CardDeskError(code, message);
}

/** The session the command's credential opens (null in the first-run bootstrap), or a recorded refusal. */
/** The session a credential opens, and whether an operator signed in with their card (not a script's credential). */
export type CommandSession = OperatorSession & { readonly signedIn: boolean };

export async function commandSession(request: AuthorisationRequest, vault: VaultParts): Promise<CommandSession | null> {
  if (!vault.operators.bootstrapOver()) return null; // the first-run bootstrap: the OS account, every role
  let secret: string | null;
  if (request.credentialFile !== null) {
    secret = await readCredential(request.credentialFile);
    if (secret === null) return refuse(request, vault, 'NOT_PERMITTED', `The credential file ${request.credentialFile} does not exist.`, { credential: 'missing' });
  } else {
    secret = await readCredential(sessionFileOf(request.dataDir));
    if (secret === null) return refuse(request, vault, 'NOT_PERMITTED', `carddesk ${request.command} needs an operator: sign in with \`carddesk signin\` (operator card and PIN) or give an automation credential with --credential FILE.`, { credential: 'none' });
  }
  const check = new CliCredentials(vault.access, vault.audit, vault.operators).check(secret, currentBinding());
  if (!check.ok) return refuse(request, vault, 'NOT_PERMITTED', credentialRefusalText[check.reason], { credential: check.reason });
  return { ...check.session, signedIn: check.credential.kind === 'session' };
}

/** What the command acts as, or a NOT_PERMITTED / APPROVAL_REQUIRED refusal (recorded) before it does anything. */
export async function authoriseCommand(request: AuthorisationRequest, vault: VaultParts): Promise<AuthorisedCommand> {
  if (request.permission === 'open') return { session: null, approvedBy: null };
  const session = await commandSession(request, vault);
  if (session === null) return { session: null, approvedBy: null };
  if (!rolesPermit(session.roles, request.permission)) {
    return refuse(request, vault, 'NOT_PERMITTED', permissionRefusal(`carddesk ${request.command}`, request.permission), { operator: session.operatorId, roles: session.roles.join(',') });
  }
  const dual = request.dual;
  if (dual === undefined) return { session: { operatorId: session.operatorId, roles: session.roles }, approvedBy: null };
  // Two people, each with their own card: a script's credential neither asks nor approves.
  if (!session.signedIn) return refuse(request, vault, 'NOT_PERMITTED', `carddesk ${request.command} needs an operator signed in with their card (carddesk signin), not an automation credential.`, { operator: session.operatorId });
  const control = new DualControl(vault.access, vault.audit);
  const operation: OperationContext = { actor: { kind: 'operator', id: session.operatorId }, channel: 'cli' };
  if (dual.code === null) {
    const asked = await control.request({ action: dual.action, permission: dual.approver, summary: dual.summary }, session, operation);
    throw new CardDeskError(
      'APPROVAL_REQUIRED',
      `carddesk ${request.command} needs a second operator's approval. Approval code: ${asked.code} (valid until ${asked.expiresAt}). ` +
        `A second operator with ${rolesText(dual.approver) ?? 'a role that permits it'} runs \`carddesk approve ${asked.code}\`; then run this command again with --approval ${asked.code}.`,
    );
  }
  const used = await control.use(dual.code, { action: dual.action, summary: dual.summary }, session, operation);
  if (!used.ok) return refuse(request, vault, 'NOT_PERMITTED', approvalRefusalText[used.reason], { operator: session.operatorId, approval: used.reason });
  return { session: { operatorId: session.operatorId, roles: session.roles }, approvedBy: used.approvedBy };
}
