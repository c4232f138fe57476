/**
 * The holder activates a newly issued card: card in the reader, the contract read, the PIN from
 * the PIN letter typed by the holder, and the card's signature key (9C) signs the contract. Only
 * when the signed contract is kept are the card's held certificates released and the card active.
 * A wrong or blocked PIN, a pulled card or a refused signature leaves the card awaiting
 * activation and the contract unsigned: signing completes in memory and is kept in one step.
 * Callable from the desk and the kiosk surface: the PIN goes to the card and nowhere else.
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

export class CardActivation {
  constructor(private readonly deps: LifecycleDeps) {}

  /** Activates the card in `reader` with the holder's `pin` (zeroed here). */
  async activate(reader: string, pin: Buffer, op: OperationContext): Promise<LifecycleResult> {
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
            return { serial: found, holderId: card.holderId, contractId: contract.id, certificateSerial: signatureCertificate };
          });

          await wf.step('verifyPin', async () => {
            const check = await wf.client.verifyPin(pin);
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
          await record(deps, op, { action: 'card.activate', outcome: 'success', cardSerial: serial, holderId, details: { contract: contractId } });
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
      pin.fill(0);
    }
  }
}
