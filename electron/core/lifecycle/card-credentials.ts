/**
 * The credentials on a card, as issuance, replacement and renewal make them: a key per slot (born
 * on the card, or for the encryption key when escrow is on, made in the vault, escrowed and
 * imported), a certificate per key from the vault CA, the certificates written to the card with a
 * fresh CHUID and CCC, and earlier encryption keys kept in the retired slots (key history) so
 * what was encrypted to them still opens.
 */
import type { keySteps } from '../../shared/workflow-plans';
import { randomBytes, X509Certificate } from 'node:crypto';
import { CardDeskError } from '../../shared/errors';
import type { CertificateProfile, CertificateSummary } from '../../shared/schemas/certificates';
import type { AsymmetricAlgorithm } from '../../smartcard/piv';
import { SLOTS } from '../../smartcard/piv';
import { toPem } from '../ca/der';
import type { OperationContext } from '../operation-context';
import type { PivClient } from '../piv/piv-client';
import type { CardWorkflow } from './card-workflow';
import { generateSoftwareKeyPair } from './key-escrow';
import { record, type LifecycleDeps } from './lifecycle-deps';
import type { KeySlot } from './personalisations';

export interface SlotPlan {
  readonly step: (typeof keySteps)[number];
  readonly slot: KeySlot;
  readonly profile: Extract<CertificateProfile, 'authentication' | 'signature' | 'encryption' | 'cardAuthentication' | 'operator'>;
}

/**
 * The four slots a CardDesk card carries, in the order they are made: 9A (authentication, PIN),
 * 9C (signature, PIN each time), 9D (encryption), 9E (card authentication, no PIN: the kiosk
 * proves the card genuine with it before the holder types the PIN).
 */
export const SLOT_PLANS: readonly SlotPlan[] = [
  { step: 'authenticationKey', slot: '9A', profile: 'authentication' },
  { step: 'signatureKey', slot: '9C', profile: 'signature' },
  { step: 'encryptionKey', slot: '9D', profile: 'encryption' },
  { step: 'cardAuthenticationKey', slot: '9E', profile: 'cardAuthentication' },
];

/** What a card is made for: a holder's card, or an operator card (issue 17) that signs its operator in to the desk. */
export type CardPurpose = 'holder' | 'operator';

/** An operator card is a normal card whose 9A certificate is of the `operator` profile (clientAuth) instead of `authentication`. */
export function slotPlansFor(purpose: CardPurpose): readonly SlotPlan[] {
  return purpose === 'operator' ? SLOT_PLANS.map((plan) => (plan.slot === '9A' ? { ...plan, profile: 'operator' } : plan)) : SLOT_PLANS;
}

export interface MadeKey {
  /** SPKI DER, base64. */
  readonly publicKey: string;
  readonly escrowId: string | null;
}

/** Makes the key of one slot: on the card, or (the escrowed encryption key) in the vault and imported. */
export async function makeKey(
  deps: LifecycleDeps,
  client: PivClient,
  plan: SlotPlan,
  owner: { serial: string; holderId: string },
  op: OperationContext,
): Promise<MadeKey> {
  const policy = deps.policy();
  // The card authentication key and an operator card's 9A key are made like the authentication key.
  const algorithm: AsymmetricAlgorithm = policy.keys[plan.profile === 'cardAuthentication' || plan.profile === 'operator' ? 'authentication' : plan.profile];
  const escrowed = plan.slot === '9D' && policy.escrowEncryptionKeys;
  let made: MadeKey;
  if (escrowed) {
    const pair = await generateSoftwareKeyPair(algorithm);
    const escrowId = await deps.escrow.escrow(pair.privateKey, { cardSerial: owner.serial, holderId: owner.holderId, algorithm }, op);
    await client.importKey(plan.slot, pair.privateKey);
    made = { publicKey: pair.publicKey.export({ format: 'der', type: 'spki' }).toString('base64'), escrowId };
  } else {
    made = { publicKey: Buffer.from(await client.generateKey(plan.slot, algorithm)).toString('base64'), escrowId: null };
  }
  await record(deps, op, {
    action: 'card.keyGenerate',
    outcome: 'success',
    cardSerial: owner.serial,
    holderId: owner.holderId,
    details: { slot: plan.slot, algorithm, origin: escrowed ? 'vault, escrowed and imported' : 'generated on the card' },
  });
  return made;
}

/** Issues the certificate for a slot's key from the vault CA (or renews `previous` with the new key). */
export async function issueCertificate(
  deps: LifecycleDeps,
  plan: SlotPlan,
  key: MadeKey,
  owner: { serial: string; holderId: string },
  previous: string | null,
  op: OperationContext,
): Promise<CertificateSummary> {
  const request = toPem(Buffer.from(key.publicKey, 'base64'), 'PUBLIC KEY');
  const issued =
    previous === null
      ? await deps.vault.certificates.issue({ profile: plan.profile, request, holderId: owner.holderId, cardSerial: owner.serial, subject: '' }, op)
      : await deps.vault.certificates.renew(previous, request, undefined, op);
  if (key.escrowId !== null) await deps.escrow.attachCertificate(key.escrowId, issued.serial);
  return issued;
}

export function certificateDer(deps: LifecycleDeps, serial: string): Buffer {
  return Buffer.from(deps.vault.certificates.record(serial).der, 'base64');
}

/** Writes the slots' certificates, a new CHUID (expiring with the first certificate to expire) and a new CCC. */
export async function writeCardObjects(deps: LifecycleDeps, client: PivClient, certificates: Partial<Record<KeySlot, string>>, owner: { serial: string; holderId: string }, op: OperationContext): Promise<void> {
  let expires: number | null = null;
  for (const plan of SLOT_PLANS) {
    const serial = certificates[plan.slot];
    if (serial === undefined) throw new CardDeskError('INTERNAL', `No certificate was issued for slot ${plan.slot}.`);
    const der = certificateDer(deps, serial);
    await client.writeCertificate(plan.slot, der);
    const notAfter = Date.parse(deps.vault.certificates.record(serial).notAfter);
    expires = expires === null ? notAfter : Math.min(expires, notAfter);
    // The card holds what the vault issued for it: the key in the slot is the certificate's key.
    const onCard = await client.keyMetadata(plan.slot);
    if (onCard !== null && !Buffer.from(onCard.publicKeyDer).equals(new X509Certificate(der).publicKey.export({ format: 'der', type: 'spki' }))) {
      throw new CardDeskError('CARD_ERROR', `The key in slot ${plan.slot} is not the one certificate ${serial} was issued for.`);
    }
  }
  await client.writeChuid(randomBytes(16), new Date(expires ?? deps.clock().getTime()));
  await client.writeCcc(randomBytes(14));
  await record(deps, op, { action: 'card.certificateWrite', outcome: 'success', cardSerial: owner.serial, holderId: owner.holderId, details: { slots: SLOT_PLANS.map((p) => p.slot).join(' '), chuid: true, ccc: true } });
}

/** What a run has made so far, kept in the card's record so a stopped run goes on where it stopped. */
export interface SlotProgress {
  /** SPKI DER, base64, per slot. */
  readonly publicKeys: Partial<Record<KeySlot, string>>;
  readonly escrowId: string | null;
  /** Certificate serial per slot. */
  readonly certificates: Partial<Record<KeySlot, string>>;
}

/** How a workflow keeps what `makeSlotCredentials` made, and what it renews. */
export interface SlotCredentialsRecord {
  /** What is made already (read again after every save). */
  readonly progress: () => SlotProgress;
  /** Keeps a slot's new key (its step is done once this resolves). */
  readonly keyMade: (plan: SlotPlan, made: MadeKey) => Promise<unknown>;
  readonly certificateIssued: (plan: SlotPlan, serial: string) => Promise<unknown>;
  /** The certificate the new one renews, or null for a new one. */
  readonly previous: (plan: SlotPlan) => string | null;
  /** After the certificates step and the write step. */
  readonly stepDone?: (step: 'certificates' | 'writeObjects') => Promise<unknown>;
}

/**
 * The per-slot loop of issuance and renewal, as workflow steps: a key per slot (skipped when the
 * record has it from an earlier run), then a certificate per key from the vault CA, then the
 * certificates, CHUID and CCC written to the card.
 */
export async function makeSlotCredentials(
  deps: LifecycleDeps,
  wf: CardWorkflow,
  owner: { serial: string; holderId: string },
  saved: SlotCredentialsRecord,
  op: OperationContext,
  plans: readonly SlotPlan[] = SLOT_PLANS,
): Promise<void> {
  const keys: Partial<Record<KeySlot, MadeKey>> = {};
  for (const plan of plans) {
    const known = saved.progress().publicKeys[plan.slot];
    if (known !== undefined) {
      keys[plan.slot] = { publicKey: known, escrowId: plan.slot === '9D' ? saved.progress().escrowId : null };
      wf.skip(plan.step);
      continue;
    }
    await wf.step(plan.step, async () => {
      const made = await makeKey(deps, wf.client, plan, owner, op);
      keys[plan.slot] = made;
      await saved.keyMade(plan, made);
    });
  }

  await wf.step('certificates', async () => {
    for (const plan of plans) {
      if (saved.progress().certificates[plan.slot] !== undefined) continue;
      const issued = await issueCertificate(deps, plan, keys[plan.slot]!, owner, saved.previous(plan), op);
      await saved.certificateIssued(plan, issued.serial);
    }
    await saved.stepDone?.('certificates');
  });

  await wf.step('writeObjects', async () => {
    await writeCardObjects(deps, wf.client, saved.progress().certificates, owner, op);
    await saved.stepDone?.('writeObjects');
  });
}

/**
 * Puts escrowed encryption keys (with their certificates) into the retired key-management slots
 * 82, 83, … and writes the Key History object, so data encrypted to them can still be decrypted
 * with this card. `escrowIds` oldest first; at most the 20 retired slots.
 */
export async function restoreKeyHistory(deps: LifecycleDeps, client: PivClient, escrowIds: readonly string[], owner: { serial: string; holderId: string }, why: string, op: OperationContext): Promise<number> {
  const retired = SLOTS.filter((slot) => slot.name === 'retired');
  const chosen = escrowIds.slice(-retired.length);
  for (const [index, escrowId] of chosen.entries()) {
    const slot = retired[index];
    if (slot === undefined) break;
    const escrow = deps.escrow.entry(escrowId);
    const key = await deps.escrow.recover(escrowId, why, op);
    await client.importKey(slot.slot, key);
    if (escrow.certificateSerial !== null) await client.writeCertificate(slot.slot, certificateDer(deps, escrow.certificateSerial));
  }
  await client.writeKeyHistory(chosen.length);
  await record(deps, op, { action: 'card.certificateWrite', outcome: 'success', reason: why, cardSerial: owner.serial, holderId: owner.holderId, details: { keyHistory: chosen.length } });
  return chosen.length;
}
