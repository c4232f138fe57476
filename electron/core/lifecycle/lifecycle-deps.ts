/**
 * What the card workflows work with, and the checks and helpers they share: the vault's services,
 * the card keys and escrow, the letter outbox, the issuance policy, and the audit trail.
 */
import { randomInt } from 'node:crypto';
import { CardDeskError } from '../../shared/errors';
import type { Holder } from '../../shared/schemas/holders';
import type { IssuancePolicy, Letter, WorkflowProgress } from '../../shared/schemas/lifecycle';
import type { ContractKind } from '../../shared/schemas/contracts';
import type { AuditEventInput, AuditTrail } from '../audit/audit-trail';
import type { ReaderHolds } from '../cards/reader-holds';
import type { LetterOutbox } from '../letters/outbox';
import { pinLetter, userNumberLetter } from '../letters/pin-letters';
import { holderName, recipientOf, userNumberRecipient } from '../letters/recipients';
import type { OperationContext } from '../operation-context';
import type { VaultServices } from '../vault/vault-services';
import type { CardKeyStore } from './card-keys';
import type { KeyEscrow } from './key-escrow';
import type { PersonalisationStore } from './personalisations';
import type { RecoveryCodes } from '../account/recovery-codes';

/**
 * The vault services the card workflows use (not the whole bundle): the keyring and the CA only to
 * check they are ready, the directory and the certificates to work with.
 */
export type WorkflowVault = Pick<VaultServices, 'keyring' | 'ca' | 'directory' | 'certificates'>;

/** The card's signature key as the contract signer sees it: its certificate, and the card making the signature. */
export interface ContractSigner {
  readonly certificate: Uint8Array;
  /** The CMS signature value over `data` (its SHA-256 digest signed by the key; ECDSA in DER). */
  sign(data: Uint8Array): Promise<Uint8Array>;
}

/** The contracts the card workflows make and sign (electron/core/contracts). */
export interface CardContracts {
  /** Makes and keeps the contract for a card and its current certificates; returns its id. */
  generate(request: { serial: string; holderId: string; kind: ContractKind; certificateSerials: readonly string[] }, op: OperationContext): Promise<{ id: string }>;
  /** The card's newest contract while it waits for the holder's signature, or null. */
  awaitingSignature(serial: string): { id: string } | null;
  /** Has `signer` sign the contract, completes the signature (time-stamp, validation data) and keeps it. */
  sign(id: string, signer: ContractSigner, op: OperationContext): Promise<void>;
}

/** What the issuer and the shared workflow helpers work with. */
export interface LifecycleDeps {
  readonly holds: ReaderHolds;
  readonly emit: (progress: WorkflowProgress) => void;
  readonly audit: AuditTrail;
  readonly vault: WorkflowVault;
  readonly cardKeys: CardKeyStore;
  readonly escrow: KeyEscrow;
  readonly personalisations: PersonalisationStore;
  readonly outbox: LetterOutbox;
  readonly contracts: CardContracts;
  readonly policy: () => IssuancePolicy;
  readonly clock: () => Date;
  /** Issues the holder's Emergency Recovery Code at issuance (issue 15); absent where it is not wired. */
  readonly recoveryCodes?: Pick<RecoveryCodes, 'issueRecoveryCode'>;
}

/** What CardIssuer is given. */
export type IssuerDeps = LifecycleDeps;

/** What CardLifecycle is given: the workflow services, and the vault's storage to change the issuance policy. */
export interface CardLifecycleDeps extends LifecycleDeps {
  readonly vault: WorkflowVault & Pick<VaultServices, 'access'>;
}

/** Workflows that change a card need its keys and certificates: the vault unlocked, the CA there. */
export function requireVaultReady(vault: Pick<VaultServices, 'keyring' | 'ca'>, needsCa: boolean): void {
  if (!vault.keyring.unlocked) throw new CardDeskError('VAULT_LOCKED', 'The vault is locked. Unlock it with the vault passphrase first.');
  if (needsCa && !vault.ca.ready) throw new CardDeskError('CA_NOT_INITIALISED', 'There is no certificate authority yet. Create or import one first.');
}

const DIGIT_ZERO = '0'.charCodeAt(0);

/** A random string of digits, for PINs and PUKs (crypto.randomInt: uniform, no modulo bias). */
export function randomDigits(length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i += 1) out[i] = DIGIT_ZERO + randomInt(0, 10);
  return out;
}

export function record(deps: LifecycleDeps, op: OperationContext, event: Omit<AuditEventInput, 'actor' | 'channel'>): Promise<void> {
  return deps.audit.record({ ...event, actor: op.actor, channel: op.channel });
}

/** The card's holder for an audit event (`{}` when the directory does not know the card). */
export function holderOf(deps: LifecycleDeps, serial: string): { holderId?: string } {
  const holderId = deps.vault.directory.cardOrNull(serial)?.holderId ?? null;
  return holderId === null ? {} : { holderId };
}

/** Why a workflow stopped, as the audit records it: the failure's code, or the error's (the screens word both). */
export function stopReason(stop: { reason: string } | { error: unknown }): string {
  if ('reason' in stop) return stop.reason;
  return stop.error instanceof CardDeskError ? stop.error.code : 'INTERNAL';
}

/**
 * Writes the PIN letter (to the holder) and, at issuance, the user-number letter (to the holder or
 * the contact person) to the outbox, and records each. With `pin` null (the holder chooses the PIN
 * at the desk) the PIN letter carries the PUK only and says so. `pin` and `puk` are zeroed here,
 * as soon as the PIN letter exists.
 */
export async function writeLetters(
  deps: LifecycleDeps,
  op: OperationContext,
  request: { holder: Holder; serial: string; run: string; pin: Buffer | null; puk: Buffer | null; userNumberTo: 'holder' | 'contactPerson' | null },
): Promise<Letter[]> {
  const { holder, serial, pin, puk } = request;
  const date = deps.clock();
  const base = { language: holder.language, sender: { organisation: deps.policy().letterSender, addressLines: [] }, holderName: holderName(holder), date };
  const stem = `${date.toISOString().slice(0, 10)}-${serial}-${request.run.slice(0, 8)}`;
  const letters: Letter[] = [];
  let pinPdf: Uint8Array;
  try {
    pinPdf = await pinLetter({ ...base, recipient: recipientOf(holder, 'holder', holder.language), cardSerial: serial, pin, puk });
  } finally {
    pin?.fill(0);
    puk?.fill(0);
  }
  letters.push({ kind: 'pin', recipient: 'holder', fileName: await deps.outbox.write(`${stem}-pin.pdf`, pinPdf, { kind: 'pin', recipient: 'holder', holderId: holder.id, cardSerial: serial }) });
  if (request.userNumberTo !== null) {
    const to = userNumberRecipient(holder, request.userNumberTo);
    const pdf = await userNumberLetter({ ...base, recipient: recipientOf(holder, to, holder.language), userNumber: holder.userNumber });
    letters.push({ kind: 'userNumber', recipient: to, fileName: await deps.outbox.write(`${stem}-user-number.pdf`, pdf, { kind: 'userNumber', recipient: to, holderId: holder.id, cardSerial: serial }) });
  }
  for (const letter of letters) {
    await record(deps, op, { action: 'card.pinLetter', outcome: 'success', cardSerial: serial, holderId: holder.id, details: { letter: letter.kind, recipient: letter.recipient, file: letter.fileName, ...(letter.kind === 'pin' && pin === null ? { pinChosenByHolder: true } : {}) } });
  }
  return letters;
}
