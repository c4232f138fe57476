/**
 * The holder activates a newly issued card: card in the reader, the contract read, the PIN from
 * the PIN letter typed by the holder, and the card's signature key (9C) signs the contract. Only
 * when the signed contract is kept are the card's held certificates released and the card active.
 * A wrong or blocked PIN, a pulled card or a refused signature leaves the card awaiting
 * activation and the contract unsigned: signing completes in memory and is kept in one step.
 * Callable from the desk and the kiosk surface: the PIN goes to the card and nowhere else.
 *
 * A card issued for its holder to choose the PIN (holderChoosesPin) has its transport PIN sealed
 * in the vault: its activation takes a new PIN instead, which replaces the transport PIN on the
 * card (CHANGE REFERENCE DATA); the vault forgets the transport PIN only once the card took the
 * new one, and the new PIN is then verified and signs as above. A card pulled after the change
 * keeps the holder's PIN: its next activation takes that PIN, as a card with a PIN letter does.
 */
import { workflowPlans } from '../../shared/workflow-plans';
import { CardDeskError } from '../../shared/errors';
import type { LifecycleResult } from '../../shared/schemas/lifecycle';
import { asymmetricAlgorithmOf } from '../../smartcard/piv';
import { sessionFailureOf } from '../cards/card-session';
import type { OperationContext } from '../operation-context';
import { signSha256WithSlot } from '../piv/piv-signing';
import { certificateDer } from './card-credentials';
import { CardWorkflow, WorkflowStop } from './card-workflow';
import { record, requireVaultReady, stopReason, type LifecycleDeps } from './lifecycle-deps';

const SIGNATURE_SLOT = '9C';
const ZERO = '0'.charCodeAt(0);
const NINE = '9'.charCodeAt(0);
const isDigit = (byte: number): boolean => byte >= ZERO && byte <= NINE;

export class CardActivation {
  constructor(private readonly deps: LifecycleDeps) {}

  /**
   * Activates the card in `reader` with the holder's `pin`, or, for a card whose holder chooses the
   * PIN now, with the `newPin` they chose (each zeroed here).
   */
  async activate(reader: string, pin: Buffer | null, op: OperationContext, newPin: Buffer | null = null): Promise<LifecycleResult> {
    const { deps } = this;
    let triesLeft: number | undefined;
    try {
      requireVaultReady(deps.vault, true);
      const outcome = await CardWorkflow.run<LifecycleResult>(
        deps,
        reader,
        workflowPlans.activate,
        'a card activation',
        async (wf) => {
          const { serial, holderId, contractId, certificateSerial } = await wf.step('identify', async () => {
            const found = await wf.identify();
            const card = deps.vault.directory.cardOrNull(found);
            if (card === null || card.holderId === null) throw new WorkflowStop('unknownCard', `Card ${found} was not issued by this desk.`);
            if (card.state !== 'awaitingActivation') throw new WorkflowStop('invalidState', `Card ${found} is ${card.state}, not awaiting activation.`);
            const contract = deps.contracts.awaitingSignature(found);
            if (contract === null) throw new WorkflowStop('noContract', `Card ${found} has no contract waiting for its signature.`);
            const signatureCertificate = deps.personalisations.get(found)?.certificates[SIGNATURE_SLOT];
            if (signatureCertificate === undefined) throw new WorkflowStop('unknownCard', `Card ${found} has no signature certificate from this desk.`);
            // Which PIN this activation needs, checked before anything reaches the card.
            if (deps.personalisations.transportPinPending(found)) {
              if (newPin === null) throw new WorkflowStop('newPinRequired', `The holder of card ${found} chooses its PIN at activation: a new PIN is needed.`);
              const digits = deps.policy().pinLength;
              if (newPin.length !== digits || !newPin.every(isDigit)) throw new WorkflowStop('newPinInvalid', `The new PIN must be ${digits} digits.`);
            } else if (pin === null || newPin !== null) {
              throw new WorkflowStop('pinRequired', `The PIN of card ${found} is set already; activate it with that PIN.`);
            }
            return { serial: found, holderId: card.holderId, contractId: contract.id, certificateSerial: signatureCertificate };
          });

          await wf.step('verifyPin', async () => {
            if (newPin !== null) await this.#choosePin(wf, serial, holderId, newPin, op);
            const check = await wf.client.verifyPin(newPin ?? pin!);
            await record(deps, op, { action: 'card.pinVerify', outcome: check.ok ? 'success' : 'failure', cardSerial: serial, holderId, ...(check.ok ? {} : { reason: check.reason === 'blocked' ? 'pinBlocked' : 'wrongPin' }), details: { purpose: 'activation' } });
            if (check.ok) return;
            if (check.reason === 'blocked') throw new WorkflowStop('pinBlocked', `The PIN of card ${serial} is blocked.`);
            triesLeft = check.triesLeft;
            throw new WorkflowStop('wrongPin', `Wrong PIN for card ${serial}; ${check.triesLeft} tries left.`);
          });

          await wf.step('signContract', async () => {
            const algorithm = asymmetricAlgorithmOf((await wf.client.keyMetadata(SIGNATURE_SLOT))?.algorithmId ?? -1);
            if (algorithm === undefined) throw new WorkflowStop('signatureRefused', `Card ${serial} has no signature key the desk can use.`);
            const certificate = certificateDer(deps, certificateSerial);
            try {
              await deps.contracts.sign(contractId, { certificate, sign: (data) => signSha256WithSlot(wf.client, SIGNATURE_SLOT, algorithm, data) }, op);
            } catch (error) {
              // A card taken out stays "card removed"; the card refusing, or a signature that does not verify, is a refusal.
              if (sessionFailureOf(error) === null && error instanceof CardDeskError && error.code === 'CARD_ERROR') throw new WorkflowStop('signatureRefused', error.message);
              throw error;
            }
          });

          await wf.step('activate', async () => {
            for (const certificate of deps.vault.certificates.forCard(serial)) {
              if (certificate.status === 'suspended') await deps.vault.certificates.resume(certificate.serial, op);
            }
            await deps.vault.directory.changeCardState(serial, 'active', op);
          });
          await record(deps, op, { action: 'card.activate', outcome: 'success', cardSerial: serial, holderId, details: { contract: contractId, ...(newPin === null ? {} : { pinChosenByHolder: true }) } });
          return { ok: true, serial, letters: [], outbox: null };
        },
        async (wf, stop) => {
          await record(deps, op, {
            action: 'card.activate',
            outcome: 'failure',
            reason: stopReason(stop),
            ...(wf.serial === null ? {} : { cardSerial: wf.serial }),
            details: { step: wf.currentStep ?? 'none', reader },
          });
        },
      );
      if (outcome.ok) return outcome.value;
      return { ok: false, reason: outcome.reason, serial: outcome.serial, ...(triesLeft === undefined ? {} : { triesLeft }) };
    } finally {
      pin?.fill(0);
      newPin?.fill(0);
    }
  }

  /**
   * The holder's chosen PIN replaces the transport PIN on the card; the vault forgets the transport
   * PIN once the card took the new one. A card that refuses the transport PIN no longer has it:
   * only a change whose answer was lost (card pulled just then) does that, so the holder's PIN is
   * in force and the vault forgets the transport PIN too.
   */
  async #choosePin(wf: CardWorkflow, serial: string, holderId: string, newPin: Buffer, op: OperationContext): Promise<void> {
    const { deps } = this;
    const transport = deps.personalisations.transportPin(serial);
    if (transport === null) throw new WorkflowStop('pinRequired', `The PIN of card ${serial} is set already; activate it with that PIN.`);
    let change;
    try {
      change = await wf.client.changePin(transport, newPin);
    } finally {
      transport.fill(0);
    }
    if (change.ok) {
      await deps.personalisations.forgetTransportPin(serial);
      await record(deps, op, { action: 'card.pinChange', outcome: 'success', cardSerial: serial, holderId, details: { purpose: 'activation', pinChosenByHolder: true } });
      return;
    }
    await record(deps, op, { action: 'card.pinChange', outcome: 'failure', reason: change.reason === 'blocked' ? 'pinBlocked' : 'transportPinRefused', cardSerial: serial, holderId, details: { purpose: 'activation', pinChosenByHolder: true } });
    if (change.reason === 'blocked') throw new WorkflowStop('pinBlocked', `The PIN of card ${serial} is blocked.`);
    await deps.personalisations.forgetTransportPin(serial);
    throw new WorkflowStop('pinRequired', `Card ${serial} no longer has its transport PIN: the holder's chosen PIN is in force.`);
  }
}
