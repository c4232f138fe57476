/**
 * Personalising a card for a holder: new issuance, a replacement for a lost or stolen card (its
 * escrowed encryption keys recovered onto the new one), and resuming or restarting a
 * personalisation that stopped. Steps and their order are `workflowSteps`; each is announced and
 * recorded. From the management key on, the card is "personalisation incomplete" in the directory
 * until the last step marks it active, so a card pulled or refused half-way is never active.
 */
import { workflowPlans } from '../../shared/workflow-plans';
import type { Holder } from '../../shared/schemas/holders';
import type { CardStatus, IssueResult, Letter } from '../../shared/schemas/lifecycle';
import { ALG } from '../../smartcard/piv';
import type { OperationContext } from '../operation-context';
import type { PivClient } from '../piv/piv-client';
import { authenticateWithCandidates, factoryReset, setPinAndPuk } from '../piv/piv-procedures';
import { makeSlotCredentials, restoreKeyHistory, SLOT_PLANS, slotPlansFor, type CardPurpose } from './card-credentials';
import { CardWorkflow, WorkflowStop } from './card-workflow';
import { refuse, type IssueRefusal, type IssuerResult } from './refusals';
import { holderOf, randomDigits, record, requireVaultReady, stopReason, writeLetters, type IssuerDeps } from './lifecycle-deps';
import type { PersonalisationRecord } from './personalisations';

type Mode =
  | { kind: 'new'; holder: Holder; userNumberTo: 'holder' | 'contactPerson'; replaces: string | null; purpose: CardPurpose }
  | { kind: 'resume'; serial: string; restart: boolean };

export class CardIssuer {
  constructor(private readonly deps: IssuerDeps) {}

  /** Personalises the blank or factory-fresh card in `reader` for an active holder. */
  /** `purpose: 'operator'`: an operator card (issue 17), whose 9A certificate is of the `operator` profile. */
  async issue(request: { reader: string; holderId: string; userNumberRecipient?: 'holder' | 'contactPerson' | undefined; purpose?: CardPurpose | undefined }, op: OperationContext): Promise<IssuerResult> {
    requireVaultReady(this.deps.vault, true);
    const holder = this.#activeHolder(request.holderId);
    if ('refusal' in holder) return holder;
    return this.#personalise(request.reader, { kind: 'new', holder, userNumberTo: request.userNumberRecipient ?? this.deps.policy().userNumberRecipient, replaces: null, purpose: request.purpose ?? 'holder' }, op);
  }

  /** Personalises the card in `reader` as the replacement of a card reported lost or stolen. */
  async replace(request: { reader: string; lostSerial: string }, op: OperationContext): Promise<IssuerResult> {
    requireVaultReady(this.deps.vault, true);
    const lost = this.deps.vault.directory.cardOrNull(request.lostSerial);
    if (lost === null) return refuse('unknownCard', request.lostSerial, { code: 'NOT_FOUND', message: `There is no card ${request.lostSerial} in the directory.` });
    if (lost.state !== 'lost') return refuse('invalidState', lost.serial, { code: 'INVALID_STATE', message: `Card ${lost.serial} is ${lost.state}; report it lost or stolen before replacing it.` });
    if (lost.holderId === null) return refuse('invalidState', lost.serial, { code: 'INVALID_STATE', message: `Card ${lost.serial} belongs to no holder.` });
    const holder = this.#activeHolder(lost.holderId);
    if ('refusal' in holder) return holder;
    // The replacement is made for what the lost card was made for.
    const purpose = this.deps.personalisations.get(lost.serial)?.purpose ?? 'holder';
    return this.#personalise(request.reader, { kind: 'new', holder, userNumberTo: this.deps.policy().userNumberRecipient, replaces: lost.serial, purpose }, op);
  }

  /** Continues (or, with `restart`, wipes and redoes) the personalisation of the card `serial` in `reader`. */
  async resume(request: { reader: string; serial: string; restart: boolean }, op: OperationContext): Promise<IssuerResult> {
    requireVaultReady(this.deps.vault, true);
    if (this.deps.personalisations.get(request.serial) === undefined) return refuse('unknownCard', request.serial, { code: 'NOT_FOUND', message: `Card ${request.serial} has no personalisation to resume.` });
    return this.#personalise(request.reader, { kind: 'resume', serial: request.serial, restart: request.restart }, op);
  }

  /** The card as the desk knows it: directory record, holder, personalisation (each null when unknown). */
  status(serial: string): CardStatus {
    const card = this.deps.vault.directory.cardOrNull(serial.trim());
    const existing = this.deps.personalisations.get(serial.trim());
    const holderId = card?.holderId ?? existing?.holderId ?? null;
    const holder = holderId === null ? undefined : this.deps.vault.directory.index().get(holderId);
    return {
      card,
      holderName: holder === undefined ? null : `${holder.firstName} ${holder.lastName}`,
      personalisation:
        existing === undefined
          ? null
          : {
              serial: existing.id,
              holderId: existing.holderId,
              holderName: holder === undefined ? null : `${holder.firstName} ${holder.lastName}`,
              startedAt: existing.startedAt,
              done: [...existing.done],
              failedStep: existing.failedStep,
              failure: existing.failure,
              pinChosenByHolder: existing.pinChosenByHolder === true,
              transportPinPending: this.deps.personalisations.transportPinPending(existing.id),
            },
    };
  }

  #activeHolder(holderId: string): Holder | IssueRefusal {
    const holder = this.deps.vault.directory.index().get(holderId);
    if (holder === undefined) return refuse('invalidState', null, { code: 'NOT_FOUND', message: `There is no holder ${holderId}.` });
    if (holder.state !== 'active') return refuse('invalidState', null, { code: 'INVALID_STATE', message: `Holder ${holder.userNumber} is ${holder.state}; only active holders get cards.` });
    return holder;
  }

  async #personalise(reader: string, mode: Mode, op: OperationContext): Promise<IssueResult> {
    const { deps } = this;
    const resumed = mode.kind === 'resume' ? deps.personalisations.get(mode.serial) : undefined;
    const replaces = mode.kind === 'new' ? mode.replaces : (resumed?.replaces ?? null);
    const secrets: { pin: Buffer | null; puk: Buffer | null } = { pin: null, puk: null };
    // Decided once per run: the PIN set now, its letter and the card's state follow the same policy.
    const activation = deps.policy().activation;
    const pinChosenByHolder = activation === 'holderChoosesPin';
    let letters: Letter[] = [];
    let holder: Holder | null = mode.kind === 'new' ? mode.holder : null;

    const outcome = await CardWorkflow.run(
      deps,
      reader,
      workflowPlans[replaces === null ? 'issue' : 'replace'],
      'a card personalisation',
      async (wf) => {
        const serial = await wf.step('identify', async () => {
          const found = await wf.identify();
          holder = await this.#begin(wf, found, mode, op);
          return found;
        });
        const owner = { serial, holderId: holder!.id };
        const rec = (): PersonalisationRecord => deps.personalisations.get(serial)!;
        const plans = slotPlansFor(rec().purpose ?? 'holder');

        const source = await wf.step('authenticate', () => this.#authenticate(wf.client, serial, mode.kind === 'new' ? 'foreignCard' : 'wrongManagementKey', op));

        if (source !== 'factory') {
          wf.skip('managementKey');
        } else {
          await wf.step('managementKey', async () => {
            if (deps.vault.directory.card(serial).state === 'blank') await deps.vault.directory.changeCardState(serial, 'personalisationIncomplete', op);
            const algorithm = wf.application?.algorithms.includes(ALG.AES_256) === true ? 'aes256' : 'tdes';
            const key = await deps.cardKeys.prepare(serial, algorithm);
            try {
              await wf.client.setManagementKey(algorithm, key);
            } finally {
              key.fill(0);
            }
            await deps.cardKeys.confirm(serial);
            await deps.personalisations.markDone(serial, 'managementKey');
            await record(deps, op, { action: 'card.managementKeyChange', outcome: 'success', cardSerial: serial, holderId: owner.holderId, details: { algorithm, diversified: true } });
          });
        }

        await wf.step('pinPuk', async () => {
          const policy = deps.policy();
          secrets.pin = randomDigits(policy.pinLength);
          secrets.puk = randomDigits(8);
          await setPinAndPuk(wf.client, secrets.pin, secrets.puk, policy.pinTries, policy.pukTries);
          // The holder chooses the PIN at activation: the random one is a transport PIN, kept sealed in the vault until then.
          if (pinChosenByHolder) await deps.personalisations.keepTransportPin(serial, secrets.pin);
          else await deps.personalisations.pinInLetter(serial);
          // The PUK stays with the desk too, sealed (issue 15): PIN resets and recovery-code unblocks use it.
          await deps.personalisations.keepPuk(serial, secrets.puk);
          await deps.personalisations.markDone(serial, 'pinPuk');
          await record(deps, op, {
            action: 'card.retryCountersSet',
            outcome: 'success',
            cardSerial: serial,
            holderId: owner.holderId,
            details: { pinTries: policy.pinTries, pukTries: policy.pukTries, pinDigits: policy.pinLength, randomPinAndPuk: true, ...(pinChosenByHolder ? { pinChosenByHolder: true } : {}) },
          });
        });

        await makeSlotCredentials(
          deps,
          wf,
          owner,
          {
            progress: rec,
            keyMade: (plan, made) =>
              deps.personalisations.markDone(serial, plan.step, {
                publicKeys: { ...rec().publicKeys, [plan.slot]: made.publicKey },
                ...(made.escrowId === null ? {} : { escrowId: made.escrowId }),
              }),
            certificateIssued: (plan, issued) => deps.personalisations.update(serial, (r) => ({ certificates: { ...r.certificates, [plan.slot]: issued } })),
            previous: () => null,
            stepDone: (step) => deps.personalisations.markDone(serial, step),
          },
          op,
          plans,
        );

        if (replaces !== null) {
          await wf.step('recoverKeys', async () => {
            const escrowed = deps.escrow.forCard(replaces).filter((entry) => entry.certificateSerial !== null);
            await restoreKeyHistory(deps, wf.client, escrowed.map((entry) => entry.id), owner, `replacement of lost card ${replaces}`, op);
            await deps.personalisations.markDone(serial, 'recoverKeys');
          });
        }

        letters = await wf.step('letters', async () => {
          await deps.outbox.withdraw(rec().letters);
          const written = await writeLetters(deps, op, {
            holder: holder!,
            serial,
            run: wf.run,
            // No PIN in the letter when the holder chooses it: the PUK letter says so.
            pin: pinChosenByHolder ? null : secrets.pin!,
            puk: secrets.puk,
            userNumberTo: mode.kind === 'new' ? mode.userNumberTo : deps.policy().userNumberRecipient,
          });
          // The holder's Emergency Recovery Code, in its own letter (issue 15); a new one at each issuance.
          if (deps.recoveryCodes !== undefined) {
            const recovery = await deps.recoveryCodes.issueRecoveryCode(holder!.id, op, 'issuance');
            written.push({ kind: 'recoveryCode', recipient: 'holder', fileName: recovery.letter });
          }
          await deps.personalisations.markDone(serial, 'letters', { letters: written.map((letter) => letter.fileName) });
          return written;
        });

        const contractId = await wf.step('contract', async () => {
          const made = rec().contractId;
          if (made !== undefined && made !== null) return made;
          const certificateSerials = SLOT_PLANS.map((plan) => rec().certificates[plan.slot]!);
          const { id } = await deps.contracts.generate({ serial, holderId: owner.holderId, kind: replaces === null ? 'issue' : 'replacement', certificateSerials }, op);
          await deps.personalisations.markDone(serial, 'contract', { contractId: id });
          return id;
        });

        const cardState = await wf.step('activate', async () => {
          const state = activation === 'atIssuance' ? ('active' as const) : ('awaitingActivation' as const);
          // Until the holder signs the contract, only the signature (its first use) and card authentication certificates are valid.
          if (state === 'awaitingActivation') await holdUntilActivation(deps, rec(), op);
          await deps.vault.directory.changeCardState(serial, state, op);
          await deps.personalisations.markDone(serial, 'activate');
          return state;
        });
        return { serial, cardState, contractId };
      },
      async (wf, stop) => {
        const failure = 'reason' in stop ? stop.message : stop.error instanceof Error ? stop.error.message : String(stop.error);
        if (wf.serial !== null && deps.personalisations.get(wf.serial)?.holderId === holder?.id && holder !== null) {
          await deps.personalisations.update(wf.serial, () => ({ failedStep: wf.currentStep, failure }));
        }
        await record(deps, op, {
          action: replaces === null ? 'card.issue' : 'card.replace',
          outcome: 'failure',
          reason: stopReason(stop),
          ...(wf.serial === null ? {} : { cardSerial: wf.serial }),
          ...(holder === null ? {} : { holderId: holder.id }),
          details: { step: wf.currentStep ?? 'none', reader },
        });
      },
    ).finally(() => {
      secrets.pin?.fill(0);
      secrets.puk?.fill(0);
    });

    if (!outcome.ok) return { ok: false, reason: outcome.reason, serial: outcome.serial, step: outcome.step };
    const { serial, cardState, contractId } = outcome.value;
    const issued = deps.personalisations.get(serial)!;
    const certificates = SLOT_PLANS.map((plan) => deps.vault.certificates.summary(deps.vault.certificates.record(issued.certificates[plan.slot]!)));
    await record(deps, op, {
      action: replaces === null ? 'card.issue' : 'card.replace',
      outcome: 'success',
      cardSerial: serial,
      holderId: issued.holderId,
      details: { certificates: certificates.length, cardState, contract: contractId, ...(replaces === null ? {} : { replaces }), ...(pinChosenByHolder ? { pinChosenByHolder: true } : {}) },
    });
    return { ok: true, serial, holderId: issued.holderId, certificates, letters, outbox: deps.outbox.dir, cardState, contractId, ...(pinChosenByHolder ? { holderChoosesPin: true } : {}) };
  }

  /**
   * Checks that this card may be personalised in this mode and opens (or reopens) its record.
   * Returns the holder the card is personalised for.
   */
  async #begin(wf: CardWorkflow, serial: string, mode: Mode, op: OperationContext): Promise<Holder> {
    const { deps } = this;
    const { directory } = deps.vault;
    const now = deps.clock().toISOString();
    if (mode.kind === 'resume') {
      if (serial !== mode.serial) throw new WorkflowStop('wrongCard', `The card in the reader is ${serial}, not ${mode.serial}.`);
      const existing = deps.personalisations.get(serial)!;
      const state = directory.card(serial).state;
      if (state !== 'personalisationIncomplete' && state !== 'blank') throw new WorkflowStop('invalidState', `Card ${serial} is ${state}; there is nothing to resume.`);
      const holder = directory.get(existing.holderId);
      if (mode.restart) await this.#restart(wf.client, existing, op);
      else await record(deps, op, { action: 'card.issue', outcome: 'success', reason: 'personalisationResumed', cardSerial: serial, holderId: holder.id, details: { done: existing.done.join(' ') } });
      return holder;
    }
    let card = directory.cardOrNull(serial);
    if (card?.state === 'active' || card?.state === 'suspended') throw new WorkflowStop('alreadyIssued', `Card ${serial} is issued already (${card.state}); renew or retire it instead.`);
    if (card?.state === 'personalisationIncomplete') throw new WorkflowStop('personalisationIncomplete', `The personalisation of card ${serial} stopped half-way; resume or restart it.`);
    if (card?.state === 'revoked' || card?.state === 'lost') throw new WorkflowStop('invalidState', `Card ${serial} is ${card.state}; retire (wipe) it before it is issued again.`);
    if (card === null) card = await directory.registerCard(serial, mode.holder.id, op);
    if (card.state === 'retired') await directory.changeCardState(serial, 'blank', op);
    await directory.assignCard(serial, mode.holder.id, op);
    await deps.personalisations.put({
      id: serial,
      holderId: mode.holder.id,
      startedAt: now,
      updatedAt: now,
      done: ['identify'],
      failedStep: null,
      failure: null,
      publicKeys: {},
      escrowId: null,
      certificates: {},
      letters: [],
      replaces: mode.replaces,
      ...(mode.purpose === 'operator' ? { purpose: 'operator' as const } : {}),
    });
    await record(deps, op, { action: 'card.issue', outcome: 'success', reason: 'personalisationStarted', cardSerial: serial, holderId: mode.holder.id, details: { reader: wf.reader, ...(mode.replaces === null ? {} : { replaces: mode.replaces }), ...(mode.purpose === 'operator' ? { purpose: 'operator' } : {}) } });
    return mode.holder;
  }

  /** Wipes a half-personalised card back to its factory state and starts its record afresh. */
  async #restart(client: PivClient, existing: PersonalisationRecord, op: OperationContext): Promise<void> {
    const { deps } = this;
    await factoryReset(client);
    await deps.cardKeys.forget(existing.id);
    for (const serial of Object.values(existing.certificates)) {
      const summary = deps.vault.certificates.summary(deps.vault.certificates.record(serial));
      if (summary.status !== 'revoked') await deps.vault.certificates.revoke(serial, 'superseded', op);
    }
    await deps.outbox.withdraw(existing.letters);
    const now = deps.clock().toISOString();
    await deps.personalisations.put({ ...existing, startedAt: now, updatedAt: now, done: ['identify'], failedStep: null, failure: null, publicKeys: {}, escrowId: null, certificates: {}, letters: [] });
    await record(deps, op, { action: 'card.issue', outcome: 'success', reason: 'personalisationRestarted', cardSerial: existing.id, holderId: existing.holderId });
  }

  /** Authenticates with the key the vault holds for the card (current, pending) or the factory key; says which worked. */
  async #authenticate(client: PivClient, serial: string, refusal: 'foreignCard' | 'wrongManagementKey', op: OperationContext): Promise<'current' | 'pending' | 'factory'> {
    const { deps } = this;
    const source = await authenticateWithCandidates(client, deps.cardKeys.candidates(serial, true));
    if (source !== null) {
      // The card took a new key in a run that stopped before the vault heard back.
      if (source === 'pending') await deps.cardKeys.confirm(serial);
      await record(deps, op, { action: 'card.managementKeyAuthenticate', outcome: 'success', cardSerial: serial, ...holderOf(deps, serial), details: { keySource: source } });
      return source;
    }
    await record(deps, op, { action: 'card.managementKeyAuthenticate', outcome: 'failure', reason: 'noKnownManagementKey', cardSerial: serial, ...holderOf(deps, serial) });
    throw new WorkflowStop(refusal, refusal === 'foreignCard' ? `Card ${serial} has a management key CardDesk does not know; another system personalised it.` : `Card ${serial} refused the management key the vault holds for it.`);
  }
}

/** Puts the new card's authentication and encryption certificates on hold until its activation. */
async function holdUntilActivation(deps: IssuerDeps, personalisation: PersonalisationRecord, op: OperationContext): Promise<void> {
  for (const plan of SLOT_PLANS) {
    const serial = personalisation.certificates[plan.slot];
    // The signature key signs the contract; the card authentication key proves the card at the kiosk where the holder activates it.
    if (plan.slot === '9C' || plan.slot === '9E' || serial === undefined) continue;
    if (deps.vault.certificates.summary(deps.vault.certificates.record(serial)).status === 'valid') await deps.vault.certificates.holdUntilActivation(serial, op);
  }
}
