/**
 * How the CLI is held to the operators' roles without a card in every script (issue 17 §3): a
 * credential is a random secret the CLI is given (`--credential FILE` or CARDDESK_CREDENTIAL),
 * whose SHA-256 the vault keeps with the roles it carries. Two kinds:
 *
 * - `session`: an operator signed the CLI in with their card and PIN; short-lived (8 hours by
 *   default), bound to the machine and the OS account that signed in, and it acts with the
 *   operator's roles as they are at each use (a suspension or a role change applies at once).
 * - `automation`: an administrator issued it, named, for scripts, with the roles it needs and no
 *   more, valid for a number of days; it acts as itself (`automation:<name>`).
 *
 * Both can be revoked; a revoked, expired or wrongly bound credential is refused with the reason.
 * The secret is 32 random bytes, so its plain SHA-256 is enough (RFC 4086 §8: nothing to guess),
 * compared in constant time.
 */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { OperatorRole } from '../../shared/permissions';
import type { AuditTrail } from '../audit/audit-trail';
import type { OperationContext } from '../operation-context';
import { ChangeRecorder } from '../vault/change-events';
import type { VaultAccess } from '../vault/vault-access';
import type { OperatorLookup } from './operator-lookup';
import type { OperatorSession } from './permission-check';

export const CLI_CREDENTIALS = 'cliCredentials';
export const SESSION_HOURS = 8;
const PREFIX = 'carddesk-credential-1';

/** Where a CLI session may be used: the machine and the OS account that signed in. */
export interface CredentialBinding {
  readonly host: string;
  readonly user: string;
}

export interface CliCredentialRecord {
  readonly id: string;
  readonly kind: 'session' | 'automation';
  /** Automation: its name; session: the operator's name at sign-in. */
  readonly name: string;
  /** Automation: the roles it carries; session: empty (the operator's roles are read at each use). */
  readonly roles: readonly OperatorRole[];
  /** Session: the operator who signed in; automation: the administrator who issued it. */
  readonly operatorId: string;
  readonly cardSerial: string | null;
  readonly boundTo: CredentialBinding | null;
  readonly secretHash: string;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly revokedAt: string | null;
}

/** What the CLI may show of a credential: never the hash. */
export type CliCredentialSummary = Omit<CliCredentialRecord, 'secretHash'> & { readonly state: 'valid' | 'expired' | 'revoked' };

export type CredentialRefusal = 'malformed' | 'unknown' | 'revoked' | 'expired' | 'otherMachine' | 'operatorNotActive';

export type CredentialCheck = { readonly ok: true; readonly session: OperatorSession; readonly credential: CliCredentialRecord } | { readonly ok: false; readonly reason: CredentialRefusal };

export const credentialRefusalText: Readonly<Record<CredentialRefusal, string>> = {
  malformed: 'The credential is not a CardDesk credential.',
  unknown: 'The credential is not known to this desk.',
  revoked: 'The credential was revoked.',
  expired: 'The credential has expired; sign in again.',
  otherMachine: 'The credential was issued to another machine or account.',
  operatorNotActive: 'The operator who signed in is suspended or removed.',
};

function hashOf(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

function stateOf(record: CliCredentialRecord, now: Date): CliCredentialSummary['state'] {
  if (record.revokedAt !== null) return 'revoked';
  return Date.parse(record.expiresAt) <= now.getTime() ? 'expired' : 'valid';
}

export class CliCredentials {
  constructor(
    private readonly access: VaultAccess,
    private readonly audit: AuditTrail,
    private readonly operators: OperatorLookup,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  #records(): CliCredentialRecord[] {
    return [...this.access.storage().records.values<CliCredentialRecord>(CLI_CREDENTIALS)];
  }

  list(): CliCredentialSummary[] {
    const now = this.clock();
    return this.#records()
      .map(({ secretHash: _hash, ...rest }) => ({ ...rest, state: stateOf({ secretHash: '', ...rest }, now) }))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  /** Issues a named automation credential; returns the secret once (the vault keeps only its hash). */
  async issueAutomation(input: { name: string; roles: readonly OperatorRole[]; validityDays: number }, op: OperationContext): Promise<{ credential: CliCredentialSummary; secret: string }> {
    const now = this.clock();
    const expiresAt = new Date(now.getTime() + input.validityDays * 86_400_000);
    return this.#issue({ kind: 'automation', name: input.name, roles: [...new Set(input.roles)], operatorId: op.actor.id, cardSerial: null, boundTo: null, expiresAt }, op);
  }

  /** Opens a CLI session for an operator who signed in with their card (the caller checked the card). */
  async openSession(input: { operatorId: string; name: string; cardSerial: string; boundTo: CredentialBinding; hours?: number }, op: OperationContext): Promise<{ credential: CliCredentialSummary; secret: string }> {
    const expiresAt = new Date(this.clock().getTime() + (input.hours ?? SESSION_HOURS) * 3_600_000);
    return this.#issue({ kind: 'session', name: input.name, roles: [], operatorId: input.operatorId, cardSerial: input.cardSerial, boundTo: input.boundTo, expiresAt }, op);
  }

  async #issue(
    fields: Pick<CliCredentialRecord, 'kind' | 'name' | 'roles' | 'operatorId' | 'cardSerial' | 'boundTo'> & { expiresAt: Date },
    op: OperationContext,
  ): Promise<{ credential: CliCredentialSummary; secret: string }> {
    const id = randomUUID();
    const secret = `${PREFIX}.${id}.${randomBytes(32).toString('base64url')}`;
    const record: CliCredentialRecord = {
      ...fields,
      id,
      secretHash: hashOf(secret),
      createdAt: this.clock().toISOString(),
      expiresAt: fields.expiresAt.toISOString(),
      revokedAt: null,
    };
    await new ChangeRecorder(this.access, this.audit).commit([{ collection: CLI_CREDENTIALS, id, record }], {
      action: 'operator.credentialIssued',
      outcome: 'success',
      actor: op.actor,
      channel: op.channel,
      ...(record.cardSerial === null ? {} : { cardSerial: record.cardSerial }),
      details: { credential: id, kind: record.kind, name: record.name, roles: record.roles.join(','), expiresAt: record.expiresAt },
    });
    const { secretHash: _hash, ...rest } = record;
    return { credential: { ...rest, state: 'valid' }, secret };
  }

  /** Revokes a credential; false when there is no such credential or it was revoked already. */
  async revoke(id: string, op: OperationContext): Promise<boolean> {
    const record = this.access.storage().records.get<CliCredentialRecord>(CLI_CREDENTIALS, id);
    if (record === undefined || record.revokedAt !== null) return false;
    const revoked: CliCredentialRecord = { ...record, revokedAt: this.clock().toISOString() };
    await new ChangeRecorder(this.access, this.audit).commit([{ collection: CLI_CREDENTIALS, id, record: revoked }], {
      action: 'operator.credentialRevoked',
      outcome: 'success',
      actor: op.actor,
      channel: op.channel,
      details: { credential: id, kind: record.kind, name: record.name },
    });
    return true;
  }

  /** The session a credential opens, or why it is refused. */
  check(secret: string, binding: CredentialBinding): CredentialCheck {
    const match = /^carddesk-credential-1\.([0-9a-f-]{36})\.[A-Za-z0-9_-]{43}$/.exec(secret.trim());
    if (match === null) return { ok: false, reason: 'malformed' };
    const record = this.access.storage().records.get<CliCredentialRecord>(CLI_CREDENTIALS, match[1] ?? '');
    if (record === undefined) return { ok: false, reason: 'unknown' };
    const expected = Buffer.from(record.secretHash, 'hex');
    const given = Buffer.from(hashOf(secret.trim()), 'hex');
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'unknown' };
    const state = stateOf(record, this.clock());
    if (state !== 'valid') return { ok: false, reason: state };
    if (record.boundTo !== null && (record.boundTo.host !== binding.host || record.boundTo.user !== binding.user)) return { ok: false, reason: 'otherMachine' };
    if (record.kind === 'automation') return { ok: true, credential: record, session: { operatorId: `automation:${record.name}`, roles: record.roles } };
    const operator = this.operators.byId(record.operatorId);
    if (operator === null || operator.state !== 'active') return { ok: false, reason: 'operatorNotActive' };
    return { ok: true, credential: record, session: { operatorId: operator.id, roles: operator.roles } };
  }
}
