/**
 * Operator sign-in with an operator card (issue 17 §2): the PIN is verified on the card, the card's
 * 9A key signs a fresh challenge that verifies with the 9A certificate's public key, the certificate
 * is the desk CA's own (its signature checks with the issuing CA's key and the CA's records hold this
 * very certificate), of the `operator` profile, neither revoked nor on hold nor expired, and an active
 * operator account holds it. Every refusal is a value with its reason, recorded as
 * `operator.signInRefused`; a success is `operator.signedIn`. The PIN is never recorded or kept.
 */
import { X509Certificate } from 'node:crypto';
import type { AuditActor, AuditChannel } from '../../shared/schemas/audit';
import type { OperatorRecord } from '../../shared/schemas/operators';
import type { SignInRefusal } from '../../shared/schemas/operator-sign-in';
import type { AuditTrail } from '../audit/audit-trail';
import { parseCertificate } from '../ca/certificate-reader';
import type { CertificateRecord } from '../ca/certificate-records';
import { cardSerial } from '../cards/card-service';
import { withPivSession } from '../cards/card-session';
import { proveSlotKey } from '../piv/key-proof';
import type { PivClient } from '../piv/piv-client';
import type { CardConnector } from '../readers/card-connection';
import type { OperatorLookup } from './operator-lookup';

/** The 9A slot: PIV authentication (SP 800-73-4 Part 1 §3.1.1), where an operator card keeps its operator certificate. */
const OPERATOR_SLOT = '9A';

/** What sign-in reads of the desk's CA: its issuing certificate and its own records of what it issued. */
export interface SignInCa {
  /** Whether the vault is open, so the CA's records can be read. */
  readonly readable: () => boolean;
  /** The issuing CA's certificate (DER). */
  readonly issuingCertificate: () => Buffer;
  /** The CA's record of a certificate serial (upper-case hex), or null when it issued none. */
  readonly record: (serial: string) => CertificateRecord | null;
}

export interface CardSignInDeps {
  readonly connector: CardConnector;
  readonly ca: SignInCa;
  readonly lookup: OperatorLookup;
  readonly audit: AuditTrail;
  readonly clock?: () => Date;
  /**
   * The vault's unlock with an operator card (issue 17 §2): when the vault is locked, a sign-in that
   * passes every check opens it with the card's wrapping of the data key, in the same card session
   * (one step for the operator). A card without one is refused (`noVaultKey`) once the vault opens
   * with operator cards (`cardsRequired`: out of the first-run bootstrap); before, the sign-in leaves
   * the vault locked as it is.
   */
  readonly vaultKey?: {
    readonly locked: () => boolean;
    readonly cardsRequired: () => boolean;
    readonly unlock: (client: PivClient, cardSerial: string, operatorId: string, channel: AuditChannel) => Promise<boolean>;
  };
}

export type CardSignInResult =
  | { readonly ok: true; readonly operator: OperatorRecord; readonly cardSerial: string; readonly certificateSerial: string; readonly reader: string }
  | { readonly ok: false; readonly reason: SignInRefusal; readonly triesLeft: number | null; readonly message: string };

const messages: Readonly<Record<SignInRefusal, string>> = {
  wrongPin: 'The PIN is wrong.',
  pinBlocked: "The card's PIN is blocked; a helpdesk operator can unblock it.",
  noCard: 'There is no card in the reader.',
  cardRemoved: 'The card was removed before sign-in finished.',
  cardInUse: 'Another program or operation is using the card; try again.',
  unknownCard: 'This is not a CardDesk card.',
  noCertificate: 'The card has no certificate in its authentication slot (9A); it is not an operator card.',
  notGenuine: 'The card could not prove it holds the key of its certificate.',
  foreignCertificate: "The card's certificate was not issued by this desk's CA.",
  notOperatorCertificate: "The card's certificate is not an operator certificate; this is a holder's card.",
  certificateRevoked: "The card's operator certificate is revoked.",
  certificateOnHold: "The card's operator certificate is on hold.",
  certificateExpired: "The card's operator certificate has expired or is not valid yet.",
  unknownOperator: 'No operator account holds this card.',
  operatorSuspended: 'This operator account is suspended.',
  operatorRemoved: 'This operator account was removed.',
  vaultLocked: "The vault is locked: the CA's records cannot be checked. Unlock the vault first.",
  noVaultKey: "The vault is locked and this card cannot unlock it: no key of the vault is wrapped for it. Use another operator card, or the recovery unlock.",
};

export function signInMessage(reason: SignInRefusal, triesLeft: number | null): string {
  return reason === 'wrongPin' && triesLeft !== null ? `${messages.wrongPin} ${triesLeft} ${triesLeft === 1 ? 'try' : 'tries'} left.` : messages[reason];
}

const SIGN_IN: AuditActor = { kind: 'system', id: 'operator-sign-in' };

type CardOutcome =
  | { refused: SignInRefusal; triesLeft: number | null; serial: string | null; certificateSerial: string | null; operatorId: string | null }
  | { refused: null; serial: string; certificate: Buffer; record: CertificateRecord; operator: OperatorRecord };

export class CardSignIn {
  readonly #deps: CardSignInDeps;

  constructor(deps: CardSignInDeps) {
    this.#deps = deps;
  }

  /** Signs the operator of the card in `reader` in with `pin` (zeroed here). `channel`: where the sign-in came from. */
  async signIn(reader: string, pin: Buffer, channel: AuditChannel): Promise<CardSignInResult> {
    return this.#run(reader, pin, channel, 'signIn');
  }

  /**
   * The same checks for a second operator approving a request at the desk (issue 17 §4): no session
   * opens and no sign-in is recorded (the approval records itself); a refusal is recorded as a
   * refused sign-in with `purpose: approval`. The PIN is zeroed here.
   */
  async proveOperator(reader: string, pin: Buffer, channel: AuditChannel): Promise<CardSignInResult> {
    return this.#run(reader, pin, channel, 'approval');
  }

  async #run(reader: string, pin: Buffer, channel: AuditChannel, purpose: 'signIn' | 'approval'): Promise<CardSignInResult> {
    try {
      if (!this.#deps.ca.readable()) return await this.#refuse({ refused: 'vaultLocked', triesLeft: null, serial: null, certificateSerial: null, operatorId: null }, reader, channel, purpose);
      const outcome = await withPivSession(this.#deps.connector, reader, 'reset', (session) => this.#check(session.client, pin, channel));
      if ('ok' in outcome) {
        const refused: SignInRefusal = outcome.reason === 'notPiv' ? 'unknownCard' : outcome.reason === 'awaitingUnblock' ? 'cardInUse' : outcome.reason;
        return await this.#refuse({ refused, triesLeft: null, serial: null, certificateSerial: null, operatorId: null }, reader, channel, purpose);
      }
      if (outcome.refused !== null) return await this.#refuse(outcome, reader, channel, purpose);
      const { operator, serial, record } = outcome;
      if (purpose === 'approval') return { ok: true, operator, cardSerial: serial, certificateSerial: record.serial, reader };
      await this.#deps.audit.record({
        action: 'operator.signedIn',
        outcome: 'success',
        actor: { kind: 'operator', id: operator.id },
        channel,
        cardSerial: serial,
        certificateSerial: record.serial,
        details: { reader, roles: operator.roles.join(',') },
      });
      return { ok: true, operator, cardSerial: serial, certificateSerial: record.serial, reader };
    } finally {
      pin.fill(0);
    }
  }

  async #check(client: PivClient, pin: Buffer, channel: AuditChannel): Promise<CardOutcome> {
    const refuse = (refused: SignInRefusal, more: { serial?: string | null; certificateSerial?: string | null; operatorId?: string | null; triesLeft?: number | null } = {}): CardOutcome => ({
      refused,
      triesLeft: more.triesLeft ?? null,
      serial: more.serial ?? null,
      certificateSerial: more.certificateSerial ?? null,
      operatorId: more.operatorId ?? null,
    });
    const serial = await cardSerial(client);
    if (serial === null) return refuse('unknownCard');
    const check = await client.verifyPin(pin);
    if (!check.ok) return check.reason === 'blocked' ? refuse('pinBlocked', { serial, triesLeft: 0 }) : refuse('wrongPin', { serial, triesLeft: check.triesLeft });
    const read = await client.readCertificate(OPERATOR_SLOT);
    if (read === null) return refuse('noCertificate', { serial });
    const certificate = Buffer.from(read);
    let parsedSerial: string;
    try {
      parsedSerial = parseCertificate(certificate).serial;
    } catch {
      return refuse('noCertificate', { serial });
    }
    if (!(await proveSlotKey(client, OPERATOR_SLOT, certificate))) return refuse('notGenuine', { serial, certificateSerial: parsedSerial });
    // The desk CA's own: signed with the issuing CA's key, and the very certificate its records hold.
    const record = this.#deps.ca.record(parsedSerial);
    if (!issuedBy(certificate, this.#deps.ca.issuingCertificate()) || record === null || !Buffer.from(record.der, 'base64').equals(certificate)) {
      return refuse('foreignCertificate', { serial, certificateSerial: parsedSerial });
    }
    const known = { serial, certificateSerial: record.serial };
    if (record.profile !== 'operator') return refuse('notOperatorCertificate', known);
    if (record.status === 'revoked') return refuse('certificateRevoked', known);
    if (record.status === 'suspended') return refuse('certificateOnHold', known);
    const now = (this.#deps.clock ?? (() => new Date()))().getTime();
    if (now < Date.parse(record.notBefore) || now > Date.parse(record.notAfter)) return refuse('certificateExpired', known);
    const operator = this.#deps.lookup.byCertificate(record.serial.toLowerCase());
    if (operator === null) return refuse('unknownOperator', known);
    if (operator.state !== 'active') return refuse(operator.state === 'suspended' ? 'operatorSuspended' : 'operatorRemoved', { ...known, operatorId: operator.id });
    const vaultKey = this.#deps.vaultKey;
    if (vaultKey?.locked() === true && !(await vaultKey.unlock(client, serial, operator.id, channel)) && vaultKey.cardsRequired()) return refuse('noVaultKey', { ...known, operatorId: operator.id });
    return { refused: null, serial, certificate, record, operator };
  }

  async #refuse(outcome: Extract<CardOutcome, { refused: SignInRefusal }>, reader: string, channel: AuditChannel, purpose: 'signIn' | 'approval'): Promise<CardSignInResult> {
    await this.#deps.audit.record({
      action: 'operator.signInRefused',
      outcome: 'failure',
      reason: outcome.refused,
      actor: outcome.operatorId === null ? SIGN_IN : { kind: 'operator', id: outcome.operatorId },
      channel,
      ...(outcome.serial === null ? {} : { cardSerial: outcome.serial }),
      ...(outcome.certificateSerial === null ? {} : { certificateSerial: outcome.certificateSerial }),
      details: { reader, ...(purpose === 'approval' ? { purpose } : {}), ...(outcome.triesLeft === null ? {} : { triesLeft: outcome.triesLeft }) },
    });
    return { ok: false, reason: outcome.refused, triesLeft: outcome.triesLeft, message: signInMessage(outcome.refused, outcome.triesLeft) };
  }
}

/** Whether `issuer` (DER) signed `certificate` (DER): names match and the signature checks with the issuer's key. */
function issuedBy(certificate: Buffer, issuer: Buffer): boolean {
  try {
    const subject = new X509Certificate(certificate);
    const ca = new X509Certificate(issuer);
    return subject.checkIssued(ca) && subject.verify(ca.publicKey);
  } catch {
    return false;
  }
}
