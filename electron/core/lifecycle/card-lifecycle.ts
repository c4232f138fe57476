/**
 * What happens to an issued card after issuance. With the card in a reader: renew its keys and
 * certificates, reset its PIN with the management key (new PIN letter), retire it (certificates
 * revoked, card wiped to its factory state). By serial, without the card: the desk's answer to an
 * offline unblock challenge, suspend (all its certificates on hold, at most 30 days), resume,
 * revoke, report lost or stolen. And the expiry watch. Each keeps the directory's card state in
 * step with its certificates and records what it did.
 */
import { workflowPlans } from '../../shared/workflow-plans';
import type { CardRecord, CardRecordState } from '../../shared/schemas/holders';
import type { CertificateSummary, RevocationReason } from '../../shared/schemas/certificates';
import {
  IssuancePolicySchema,
  type ExpiringCertificate,
  type IssuancePolicy,
  type LifecycleResult,
  type UnblockResponseResult,
} from '../../shared/schemas/lifecycle';
import { parseChallengeCode, responseCode } from '../cards/unblock-codes';
import { challengeIdOf } from '../cards/offline-unblock';
import type { OperationContext } from '../operation-context';
import type { PivClient } from '../piv/piv-client';
import { authenticateWithCandidates, factoryReset } from '../piv/piv-procedures';
import { makeSlotCredentials, restoreKeyHistory, SLOT_PLANS } from './card-credentials';
import { CardWorkflow, WorkflowStop } from './card-workflow';
import { holderOf, randomDigits, record, requireVaultReady, stopReason, writeLetters, type CardLifecycleDeps, type LifecycleDeps } from './lifecycle-deps';
import type { RenewalProgress } from './personalisations';
import { ChangeRecorder } from '../vault/change-events';

const DAY = 86_400_000;

/**
 * RESET RETRY COUNTER (INS 0x2C) with the card's sealed PUK and `pin` as the new PIN. A blocked
 * PUK stops the workflow: such a card can only be reissued. The opened PUK is zeroed here.
 */
export async function resetPinWithSealedPuk(client: PivClient, deps: Pick<LifecycleDeps, 'personalisations'>, serial: string, pin: Buffer): Promise<void> {
  const puk = deps.personalisations.puk(serial);
  if (puk === null) throw new WorkflowStop('invalidState', `The vault does not keep the PUK of card ${serial}.`);
  let outcome: Awaited<ReturnType<PivClient['unblockPin']>>;
  try {
    outcome = await client.unblockPin(puk, pin);
  } finally {
    puk.fill(0);
  }
  if (outcome.ok) return;
  if (outcome.reason === 'blocked') throw new WorkflowStop('pukBlocked', `The PUK of card ${serial} is blocked: the card can only be reissued.`);
  throw new WorkflowStop('wrongPuk', `Card ${serial} refused the PUK the vault keeps for it.`);
}
const WINDOWS = [7, 14, 30, 60] as const;

export class CardLifecycle {
  constructor(private readonly deps: CardLifecycleDeps) {}

  // ---- policy ------------------------------------------------------------------------------

  policy(): IssuancePolicy {
    return this.deps.policy();
  }

  /** Changes the issuance policy (kept in the vault's settings); later personalisations follow it. */
  async updatePolicy(change: Partial<IssuancePolicy>, op: OperationContext): Promise<IssuancePolicy> {
    const given = Object.fromEntries(Object.entries(change).filter(([, value]) => value !== undefined));
    const next = IssuancePolicySchema.parse({ ...this.deps.policy(), ...given });
    await new ChangeRecorder(this.deps.vault.access, this.deps.audit).commitMeta((meta) => ({ ...meta, settings: { ...meta.settings, issuancePolicy: next } }), {
      action: 'settings.change',
      outcome: 'success',
      details: { issuancePolicy: JSON.stringify(next) },
      actor: op.actor,
      channel: op.channel,
    });
    return next;
  }

  // ---- with the card in a reader -------------------------------------------------------------

  /** The card in the reader as the directory knows it; only the states `allowed` may go on. */
  #known(serial: string, allowed: readonly CardRecordState[]): CardRecord & { holderId: string } {
    const card = this.deps.vault.directory.cardOrNull(serial);
    if (card === null || card.holderId === null) throw new WorkflowStop('unknownCard', `Card ${serial} was not issued by this desk.`);
    if (!allowed.includes(card.state)) throw new WorkflowStop('invalidState', `Card ${serial} is ${card.state}.`);
    return { ...card, holderId: card.holderId };
  }

  /** Authenticates with the key the vault holds for the card. */
  async #authenticate(client: PivClient, serial: string, op: OperationContext): Promise<void> {
    const source = await authenticateWithCandidates(client, this.deps.cardKeys.candidates(serial, false));
    if (source !== null) {
      if (source === 'pending') await this.deps.cardKeys.confirm(serial);
      await record(this.deps, op, { action: 'card.managementKeyAuthenticate', outcome: 'success', cardSerial: serial, ...holderOf(this.deps, serial), details: { keySource: source } });
      return;
    }
    await record(this.deps, op, { action: 'card.managementKeyAuthenticate', outcome: 'failure', reason: 'wrongManagementKey', cardSerial: serial, ...holderOf(this.deps, serial) });
    throw new WorkflowStop('wrongManagementKey', `Card ${serial} refused the management key the vault holds for it.`);
  }

  #onStop(action: 'card.renew' | 'card.pinReset' | 'card.retire', op: OperationContext) {
    return async (wf: CardWorkflow, stop: { reason: string; message: string } | { error: unknown }): Promise<void> => {
      await record(this.deps, op, {
        action,
        outcome: 'failure',
        reason: stopReason(stop),
        ...(wf.serial === null ? {} : { cardSerial: wf.serial, ...holderOf(this.deps, wf.serial) }),
        details: { step: wf.currentStep ?? 'none', reader: wf.reader },
      });
    };
  }

  #result(outcome: Awaited<ReturnType<typeof CardWorkflow.run<LifecycleResult>>>): LifecycleResult {
    return outcome.ok ? outcome.value : { ok: false, reason: outcome.reason, serial: outcome.serial };
  }

  /**
   * New keys and certificates on the same card (the old certificates revoked as superseded). With
   * escrow, earlier encryption keys move to the retired slots. A renewal that stops is finished by
   * renewing again: the keys and certificates made so far are kept in the card's record.
   */
  async renew(reader: string, op: OperationContext): Promise<LifecycleResult> {
    requireVaultReady(this.deps.vault, true);
    const { deps } = this;
    const outcome = await CardWorkflow.run<LifecycleResult>(
      deps,
      reader,
      workflowPlans.renew,
      'a card renewal',
      async (wf) => {
        const { serial, card, personalisation } = await wf.step('identify', async () => {
          const found = await wf.identify();
          const known = this.#known(found, ['active']);
          const existing = deps.personalisations.get(found);
          if (existing === undefined) throw new WorkflowStop('unknownCard', `Card ${found} was not personalised by this desk.`);
          return { serial: found, card: known, personalisation: existing };
        });
        const owner = { serial, holderId: card.holderId };
        await wf.step('authenticate', () => this.#authenticate(wf.client, serial, op));
        let progress: RenewalProgress = personalisation.renewal ?? { startedAt: deps.clock().toISOString(), publicKeys: {}, escrowId: null, certificates: {} };
        const save = async (change: Partial<RenewalProgress>): Promise<void> => {
          progress = { ...progress, ...change };
          await deps.personalisations.update(serial, () => ({ renewal: progress }));
        };
        await save({});

        await makeSlotCredentials(
          deps,
          wf,
          owner,
          {
            progress: () => progress,
            keyMade: (plan, made) => save({ publicKeys: { ...progress.publicKeys, [plan.slot]: made.publicKey }, ...(made.escrowId === null ? {} : { escrowId: made.escrowId }) }),
            certificateIssued: (plan, issued) => save({ certificates: { ...progress.certificates, [plan.slot]: issued } }),
            previous: (plan) => {
              const current = personalisation.certificates[plan.slot];
              return current === undefined ? null : renewable(deps.vault.certificates.summary(deps.vault.certificates.record(current)));
            },
          },
          op,
        );

        const history = deps.escrow.forCard(serial).filter((entry) => entry.certificateSerial !== null && entry.id !== progress.escrowId);
        if (history.length === 0) wf.skip('recoverKeys');
        else await wf.step('recoverKeys', () => restoreKeyHistory(deps, wf.client, history.map((entry) => entry.id), owner, 'earlier encryption keys kept at renewal', op));

        await wf.step('revokeCertificates', async () => {
          for (const plan of SLOT_PLANS) {
            const old = personalisation.certificates[plan.slot];
            if (old !== undefined && old !== progress.certificates[plan.slot]) await revokeIfValid(deps, old, 'superseded', op);
          }
          await deps.personalisations.update(serial, () => ({ certificates: progress.certificates, renewal: null }));
        });
        // The renewed certificates get their own contract; the card stays active (its holder signed at activation).
        await wf.step('contract', () => deps.contracts.generate({ serial, holderId: owner.holderId, kind: 'renewal', certificateSerials: Object.values(progress.certificates) }, op));
        await record(deps, op, { action: 'card.renew', outcome: 'success', cardSerial: serial, holderId: owner.holderId, details: { certificates: Object.values(progress.certificates).join(' ') } });
        return { ok: true, serial, letters: [], outbox: null };
      },
      this.#onStop('card.renew', op),
    );
    return this.#result(outcome);
  }

  /** Resets the PIN of the card in the reader with its management key and writes a new PIN letter (the PUK stays). */
  async resetPin(reader: string, op: OperationContext): Promise<LifecycleResult> {
    requireVaultReady(this.deps.vault, false);
    const { deps } = this;
    let pin: Buffer | null = null;
    try {
      const outcome = await CardWorkflow.run<LifecycleResult>(
        deps,
        reader,
        workflowPlans.resetPin,
        'a PIN reset',
        async (wf) => {
          // A holder who lost the PIN letter before activating the card gets a new one too.
          const card = await wf.step('identify', async () => this.#known(await wf.identify(), ['active', 'suspended', 'awaitingActivation']));
          // A card whose PUK the vault keeps (issued since issue 15) is reset with the standard
          // RESET RETRY COUNTER and that PUK, on any PIV card; older cards keep the management-key path.
          const withPuk = deps.personalisations.hasPuk(card.serial);
          if (withPuk) wf.skip('authenticate');
          else await wf.step('authenticate', () => this.#authenticate(wf.client, card.serial, op));
          await wf.step('pinReset', async () => {
            pin = randomDigits(deps.policy().pinLength);
            if (withPuk) await resetPinWithSealedPuk(wf.client, deps, card.serial, pin);
            else await wf.client.resetPinWithManagementKey(pin);
            // A transport PIN kept for the holder to replace is not the card's PIN any more: the letter's PIN is.
            await deps.personalisations.forgetTransportPin(card.serial);
            await record(deps, op, { action: 'card.pinReset', outcome: 'success', cardSerial: card.serial, holderId: card.holderId, details: { method: withPuk ? 'resetRetryCounter' : 'managementKey' } });
          });
          const letters = await wf.step('letters', () =>
            writeLetters(deps, op, { holder: deps.vault.directory.get(card.holderId), serial: card.serial, run: wf.run, pin: pin!, puk: null, userNumberTo: null }),
          );
          return { ok: true, serial: card.serial, letters, outbox: deps.outbox.dir };
        },
        this.#onStop('card.pinReset', op),
      );
      return this.#result(outcome);
    } finally {
      (pin as Buffer | null)?.fill(0);
    }
  }

  /** Revokes the card's certificates, wipes the card to its factory state and marks it retired. Any card may be wiped. */
  async retire(reader: string, op: OperationContext): Promise<LifecycleResult> {
    requireVaultReady(this.deps.vault, false);
    const { deps } = this;
    const outcome = await CardWorkflow.run<LifecycleResult>(
      deps,
      reader,
      workflowPlans.retire,
      'retiring a card',
      async (wf) => {
        const { serial, card } = await wf.step('identify', async () => {
          const found = await wf.identify();
          const known = deps.vault.directory.cardOrNull(found);
          if (known?.state === 'retired') throw new WorkflowStop('invalidState', `Card ${found} is retired already.`);
          return { serial: found, card: known };
        });
        await wf.step('revokeCertificates', async () => {
          for (const certificate of deps.vault.certificates.forCard(serial)) await revokeIfValid(deps, certificate.serial, 'cessationOfOperation', op);
        });
        await wf.step('factoryReset', async () => {
          await factoryReset(wf.client);
          await deps.cardKeys.forget(serial);
          if (card !== null) await deps.vault.directory.changeCardState(serial, 'retired', op);
        });
        await record(deps, op, { action: 'card.retire', outcome: 'success', cardSerial: serial, ...(card === null || card.holderId === null ? {} : { holderId: card.holderId }), details: { known: card !== null } });
        return { ok: true, serial, letters: [], outbox: null };
      },
      this.#onStop('card.retire', op),
    );
    return this.#result(outcome);
  }

  // ---- by serial ---------------------------------------------------------------------------

  /** The desk's side of the offline unblock: the response to a challenge read from the holder's card. */
  async unblockResponse(serial: string, challenge: string, op: OperationContext): Promise<UnblockResponseResult> {
    requireVaultReady(this.deps.vault, false);
    const { deps } = this;
    const card = deps.vault.directory.cardOrNull(serial);
    const refuse = async (reason: Extract<UnblockResponseResult, { ok: false }>['reason']): Promise<UnblockResponseResult> => {
      await record(deps, op, { action: 'card.unblockResponse', outcome: 'failure', reason, cardSerial: serial, ...(card === null || card.holderId === null ? {} : { holderId: card.holderId }) });
      return { ok: false, reason };
    };
    if (card === null || (card.state !== 'active' && card.state !== 'suspended' && card.state !== 'awaitingActivation')) return refuse('unknownCard');
    const parsed = parseChallengeCode(serial, challenge);
    if (!parsed.ok) return refuse(parsed.problem === 'check' ? 'check' : 'malformed');
    const key = deps.cardKeys.current(serial);
    if (key === null) return refuse('noManagementKey');
    if (key.algorithm !== parsed.value.algorithm) return refuse('check');
    let response: string;
    try {
      response = responseCode(key.key, parsed.value);
    } finally {
      key.key.fill(0);
    }
    await record(deps, op, {
      action: 'card.unblockResponse',
      outcome: 'success',
      cardSerial: serial,
      ...(card.holderId === null ? {} : { holderId: card.holderId }),
      details: { challengeId: challengeIdOf(parsed.value.challenge), validMinutes: 10 },
    });
    return { ok: true, response, serial };
  }

  /** Puts every valid certificate of the card on hold (1–30 days) and marks the card suspended. */
  async suspend(serial: string, days: number, afterHold: 'release' | 'revoke', op: OperationContext): Promise<LifecycleResult> {
    return this.#byState(serial, ['active'], 'suspended', op, async (certificate) => {
      if (certificate.status === 'valid') await this.deps.vault.certificates.suspend(certificate.serial, days, afterHold, op);
    });
  }

  /** Lifts the hold on the card's certificates and marks it active again. */
  async resume(serial: string, op: OperationContext): Promise<LifecycleResult> {
    return this.#byState(serial, ['suspended'], 'active', op, async (certificate) => {
      if (certificate.status === 'suspended') await this.deps.vault.certificates.resume(certificate.serial, op);
    });
  }

  async revoke(serial: string, reason: RevocationReason, op: OperationContext): Promise<LifecycleResult> {
    return this.#byState(serial, ['active', 'suspended', 'personalisationIncomplete', 'awaitingActivation'], 'revoked', op, (certificate) => revokeIfValid(this.deps, certificate.serial, reason, op));
  }

  /** Revokes the card's certificates (key compromise: someone else may hold the card) and marks it lost; replace it next. */
  async reportLost(serial: string, stolen: boolean, op: OperationContext): Promise<LifecycleResult> {
    const result = await this.#byState(serial, ['active', 'suspended', 'awaitingActivation'], 'lost', op, (certificate) => revokeIfValid(this.deps, certificate.serial, 'keyCompromise', op));
    if (result.ok) await record(this.deps, op, { action: 'card.reportLost', outcome: 'success', reason: stolen ? 'stolen' : 'lost', cardSerial: serial });
    return result;
  }

  async #byState(serial: string, from: readonly CardRecordState[], to: CardRecordState, op: OperationContext, each: (certificate: CertificateSummary) => Promise<unknown>): Promise<LifecycleResult> {
    requireVaultReady(this.deps.vault, true);
    const card = this.deps.vault.directory.cardOrNull(serial.trim().toUpperCase());
    if (card === null) return { ok: false, reason: 'unknownCard', serial };
    if (!from.includes(card.state)) return { ok: false, reason: 'invalidState', serial: card.serial };
    for (const certificate of this.deps.vault.certificates.forCard(card.serial)) await each(certificate);
    await this.deps.vault.directory.changeCardState(card.serial, to, op);
    return { ok: true, serial: card.serial, letters: [], outbox: null };
  }

  /**
   * Keeps suspended cards in step with their certificates once holds end by themselves (released
   * or revoked by the hold-expiry sweep). Returns how many cards changed.
   */
  async followHolds(op: OperationContext): Promise<number> {
    const { deps } = this;
    let changed = 0;
    for (const card of deps.vault.directory.cardsIn('suspended')) {
      const statuses = deps.vault.certificates.forCard(card.serial).map((c) => c.status);
      if (statuses.includes('suspended')) continue;
      await deps.vault.directory.changeCardState(card.serial, statuses.includes('valid') ? 'active' : 'revoked', op);
      changed += 1;
    }
    return changed;
  }

  // ---- expiry watch ------------------------------------------------------------------------

  /** Valid certificates that expire within `withinDays`, soonest first, each with the warning window it reached. */
  expiring(withinDays: number): ExpiringCertificate[] {
    const now = this.deps.clock().getTime();
    const out: ExpiringCertificate[] = [];
    for (let offset = 0; ; offset += 500) {
      const page = this.deps.vault.certificates.list({ query: '', status: 'valid', expiringWithinDays: withinDays, offset, limit: 500 });
      for (const certificate of page.items) {
        const daysLeft = Math.max(0, Math.ceil((Date.parse(certificate.notAfter) - now) / DAY));
        const window = WINDOWS.find((days) => daysLeft <= days) ?? 60;
        out.push({ ...certificate, window, daysLeft });
      }
      if (offset + 500 >= page.total) return out;
    }
  }
}

/** The certificate to renew, or null when it cannot be renewed (revoked) and a new one is issued. */
function renewable(summary: CertificateSummary): string | null {
  return summary.status === 'revoked' ? null : summary.serial;
}

async function revokeIfValid(deps: LifecycleDeps, serial: string, reason: RevocationReason, op: OperationContext): Promise<void> {
  const summary = deps.vault.certificates.summary(deps.vault.certificates.record(serial));
  if (summary.status === 'valid' || summary.status === 'suspended') await deps.vault.certificates.revoke(serial, reason, op);
}
