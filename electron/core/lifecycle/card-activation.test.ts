/**
 * Activation against the virtual card in process and a real vault: a new card waits with its 9A
 * and 9D certificates on hold; a wrong PIN, a blocked PIN or a card pulled while it signs leave it
 * waiting with the contract unsigned; the PIN from the PIN letter has the card's 9C key sign the
 * contract (PAdES B-LTA, checked by CardDesk's verifier) and only then is the card active.
 * Under holderChoosesPin the letter carries the PUK only, the transport PIN waits sealed in the
 * vault, and the holder's new PIN replaces it on the card before the card signs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blankCard, inspect, letterText, lifecycleRig, READER, secretsIn, type LifecycleRig } from '../../../test/support/lifecycle-rig';
import { operator } from '../../../test/support/vault-fixtures';
import { defaultIssuancePolicy, type IssueResult } from '../../shared/schemas/lifecycle';
import { asContractResult } from './refusals';

let rig: LifecycleRig;

beforeAll(async () => {
  rig = await lifecycleRig();
  await rig.lifecycle.updatePolicy({ activation: 'holderSigns' }, operator);
}, 60_000);

afterAll(() => rig?.close());

async function issued(n: number): Promise<Extract<IssueResult, { ok: true }> & { pin: string }> {
  const holder = await rig.newHolder(n, { firstName: 'Blerta', lastName: 'Krasniqi-Çela', language: 'sq' });
  rig.card = await blankCard();
  const result = asContractResult(await rig.issuer.issue({ reader: READER, holderId: holder.id }, operator));
  if (!result.ok) throw new Error(`issuance stopped at ${result.step}: ${result.reason}`);
  return { ...result, pin: secretsIn(letterText(rig, result.letters[0]!.fileName)).pin };
}

const statuses = (serial: string) => Object.fromEntries(rig.vault.certificates.forCard(serial).map((c) => [c.profile, c.status]));

describe('activating a new card', () => {
  it('issues the card awaiting activation, with a contract and only its signature and card authentication certificates valid', async () => {
    const card = await issued(1);
    expect(card.cardState).toBe('awaitingActivation');
    expect(rig.vault.directory.card(card.serial).state).toBe('awaitingActivation');
    expect(statuses(card.serial)).toEqual({ authentication: 'suspended', signature: 'valid', encryption: 'suspended', cardAuthentication: 'valid' });
    const contract = await rig.contracts.get(card.contractId);
    expect(contract).toMatchObject({ cardSerial: card.serial, status: 'awaitingSignature', language: 'sq', kind: 'issue', signedAt: null });
    expect(rig.audit.events.some((e) => e.action === 'contract.generate' && e.details?.['sha256'] === contract.sha256)).toBe(true);
  });

  it('refuses a wrong PIN with the tries left, and leaves the card waiting and the contract unsigned', async () => {
    const card = await issued(2);
    const wrong = card.pin === '000000' ? '111111' : '000000';
    const result = await rig.activation.activate(READER, Buffer.from(wrong), operator);
    expect(result).toEqual({ ok: false, reason: 'wrongPin', serial: card.serial, triesLeft: 2 });
    expect(rig.vault.directory.card(card.serial).state).toBe('awaitingActivation');
    expect((await rig.contracts.get(card.contractId)).status).toBe('awaitingSignature');
    expect(statuses(card.serial).authentication).toBe('suspended');
  });

  it('leaves nothing signed when the card is pulled before it signs, or after it signed but before the answer came back', async () => {
    const card = await issued(3);
    // SELECT, the serial, VERIFY, the 9C key's metadata, then GENERAL AUTHENTICATE (index 4): the signature.
    for (const when of ['before', 'after'] as const) {
      rig.pullAt = { at: 4, when };
      const pulled = await rig.activation.activate(READER, Buffer.from(card.pin), operator);
      expect(pulled, when).toMatchObject({ ok: false, reason: 'cardRemoved', serial: card.serial });
      expect(rig.lastConnection?.transmitted, when).toBe(5);
      expect(rig.vault.directory.card(card.serial).state).toBe('awaitingActivation');
      expect(await rig.contracts.get(card.contractId)).toMatchObject({ status: 'awaitingSignature', signedAt: null });
      expect(statuses(card.serial).authentication).toBe('suspended');
    }

    // Put back, the same card activates.
    const done = await rig.activation.activate(READER, Buffer.from(card.pin), operator);
    expect(done).toMatchObject({ ok: true, serial: card.serial });
  });

  it("signs the contract with the card's 9C key, releases the held certificates and makes the card active", async () => {
    const card = await issued(4);
    const result = await rig.activation.activate(READER, Buffer.from(card.pin), operator);
    expect(result).toMatchObject({ ok: true, serial: card.serial });
    expect(rig.vault.directory.card(card.serial).state).toBe('active');
    expect(statuses(card.serial)).toEqual({ authentication: 'valid', signature: 'valid', encryption: 'valid', cardAuthentication: 'valid' });

    const contract = await rig.contracts.get(card.contractId);
    expect(contract.status).toBe('signed');
    expect(contract.signedAt).not.toBeNull();
    const report = await rig.contracts.verify(card.contractId);
    expect(report.signatures.map((s) => [s.documentTimestamp, s.integrity, s.verdict])).toEqual([
      [false, 'intact', 'valid'],
      [true, 'intact', 'valid'],
    ]);
    const signature = report.signatures[0]!;
    const nineC = rig.vault.certificates.forCard(card.serial).find((c) => c.profile === 'signature')!;
    expect(signature.signer?.serialNumber.replace(/^0+/, '')).toBe(nineC.serial.toUpperCase().replace(/^0+/, ''));
    expect(signature.level).toBe('B-LTA');
    expect(signature.afterSigning).toBe('validationDataOnly');
    expect(signature.chain.status).toBe('trusted');
    expect(signature.timestamp?.valid).toBe(true);

    // Immutable: a second activation finds nothing to sign.
    expect(await rig.activation.activate(READER, Buffer.from(card.pin), operator)).toMatchObject({ ok: false, reason: 'invalidState' });
    const signed = rig.audit.events.find((e) => e.action === 'contract.sign' && e.details?.['contract'] === card.contractId);
    expect(signed?.details?.['sha256']).toBe(contract.sha256);
    // The PIN never reaches the audit trail.
    expect(JSON.stringify(rig.audit.events)).not.toContain(card.pin);
  }, 30_000);

  it('blocks on the last wrong PIN and says so', async () => {
    const card = await issued(5);
    const wrong = card.pin === '000000' ? '111111' : '000000';
    await rig.activation.activate(READER, Buffer.from(wrong), operator);
    await rig.activation.activate(READER, Buffer.from(wrong), operator);
    const third = await rig.activation.activate(READER, Buffer.from(wrong), operator);
    // The last wrong try blocks the PIN: the card says so at once.
    expect(third).toMatchObject({ ok: false, reason: 'pinBlocked' });
    expect(await rig.activation.activate(READER, Buffer.from(card.pin), operator)).toMatchObject({ ok: false, reason: 'pinBlocked' });
    expect(rig.vault.directory.card(card.serial).state).toBe('awaitingActivation');
  });

  it('makes cards active at issuance when the policy says so, still with a contract', async () => {
    await rig.lifecycle.updatePolicy({ activation: 'atIssuance' }, operator);
    try {
      const card = await issued(6);
      expect(card.cardState).toBe('active');
      expect(statuses(card.serial)).toEqual({ authentication: 'valid', signature: 'valid', encryption: 'valid', cardAuthentication: 'valid' });
      expect((await rig.contracts.get(card.contractId)).status).toBe('awaitingSignature');
    } finally {
      await rig.lifecycle.updatePolicy({ activation: 'holderSigns' }, operator);
    }
  });

  it('is the policy of a new desk', () => {
    expect(defaultIssuancePolicy.activation).toBe('holderSigns');
  });
});

describe('activating a card whose holder chooses the PIN', () => {
  async function chooserCard(n: number): Promise<Extract<IssueResult, { ok: true }> & { transport: string; letter: string }> {
    await rig.lifecycle.updatePolicy({ activation: 'holderChoosesPin' }, operator);
    try {
      const holder = await rig.newHolder(n, { firstName: 'Arben', lastName: 'Hoxha', language: 'nl' });
      rig.card = await blankCard();
      const result = asContractResult(await rig.issuer.issue({ reader: READER, holderId: holder.id }, operator));
      if (!result.ok) throw new Error(`issuance stopped at ${result.step}: ${result.reason}`);
      const sealed = rig.deps.personalisations.transportPin(result.serial);
      if (sealed === null) throw new Error('no transport PIN kept');
      const transport = sealed.toString('latin1');
      sealed.fill(0);
      return { ...result, transport, letter: letterText(rig, result.letters.find((l) => l.kind === 'pin')!.fileName) };
    } finally {
      await rig.lifecycle.updatePolicy({ activation: 'holderSigns' }, operator);
    }
  }

  /** Whether the card in the reader takes `pin` (a second reader's view, after the workflow). */
  async function cardTakes(pin: string): Promise<boolean> {
    const client = await inspect(rig.card!);
    return (await client.verifyPin(Buffer.from(pin))).ok;
  }

  const otherPin = (avoid: string[], length = 6): string => {
    for (let d = 1; ; d += 1) {
      const candidate = String((d * 142857) % 10 ** length).padStart(length, '7');
      if (!avoid.includes(candidate)) return candidate;
    }
  };

  it('prints no PIN, only the PUK, keeps the transport PIN sealed in the vault and leaves the card awaiting activation', async () => {
    const card = await chooserCard(11);
    expect(card).toMatchObject({ cardState: 'awaitingActivation', holderChoosesPin: true });
    expect(card.transport).toMatch(/^\d{6}$/);
    expect(() => secretsIn(card.letter)).toThrow(/no PIN/);
    expect(card.letter).not.toContain(card.transport);
    expect(card.letter).toMatch(/PUK\s+\d{8}\b/);
    expect(card.letter).toContain('Uw PUK');
    expect(card.letter).toMatch(/kiest aan de balie/);
    // Sealed, not in the clear, and the card's PIN is the transport PIN.
    const record = rig.deps.personalisations.get(card.serial)!;
    expect(record.pinChosenByHolder).toBe(true);
    expect(JSON.stringify(record)).not.toContain(card.transport);
    expect(rig.issuer.status(card.serial).personalisation).toMatchObject({ pinChosenByHolder: true, transportPinPending: true });
    expect(statuses(card.serial)).toEqual({ authentication: 'suspended', signature: 'valid', encryption: 'suspended', cardAuthentication: 'valid' });
    expect(await cardTakes(card.transport)).toBe(true);
    const events = rig.audit.events.filter((e) => e.cardSerial === card.serial);
    expect(events.find((e) => e.action === 'card.retryCountersSet')?.details).toMatchObject({ pinChosenByHolder: true });
    expect(events.find((e) => e.action === 'card.issue' && e.details?.['contract'] !== undefined)?.details).toMatchObject({ pinChosenByHolder: true });
    expect(JSON.stringify(rig.audit.events)).not.toContain(card.transport);
  });

  it('refuses an activation without a new PIN, or with one of the wrong length or not digits, and touches nothing', async () => {
    const card = await chooserCard(12);
    expect(await rig.activation.activate(READER, Buffer.from(card.transport), operator)).toMatchObject({ ok: false, reason: 'newPinRequired', serial: card.serial });
    expect(await rig.activation.activate(READER, null, operator)).toMatchObject({ ok: false, reason: 'newPinRequired' });
    for (const wrong of ['1234567', '12345', '12a456']) {
      expect(await rig.activation.activate(READER, null, operator, Buffer.from(wrong)), wrong).toMatchObject({ ok: false, reason: 'newPinInvalid', serial: card.serial });
    }
    expect(rig.deps.personalisations.transportPinPending(card.serial)).toBe(true);
    expect(rig.vault.directory.card(card.serial).state).toBe('awaitingActivation');
    expect((await rig.contracts.get(card.contractId)).status).toBe('awaitingSignature');
    // No try was spent: the card still has all three, and its PIN is the transport PIN.
    expect((await (await inspect(rig.card!)).pinStatus()).triesLeft).toBe(3);
    expect(await cardTakes(card.transport)).toBe(true);
  });

  it('puts the new PIN on the card, forgets the transport PIN, signs the contract and makes the card active', async () => {
    const card = await chooserCard(13);
    const chosen = otherPin([card.transport]);
    const result = await rig.activation.activate(READER, null, operator, Buffer.from(chosen));
    expect(result).toMatchObject({ ok: true, serial: card.serial });
    expect(rig.vault.directory.card(card.serial).state).toBe('active');
    expect(statuses(card.serial)).toEqual({ authentication: 'valid', signature: 'valid', encryption: 'valid', cardAuthentication: 'valid' });
    expect((await rig.contracts.get(card.contractId)).status).toBe('signed');
    expect(rig.deps.personalisations.transportPinPending(card.serial)).toBe(false);
    expect(rig.deps.personalisations.get(card.serial)?.transportPin).toBeNull();
    expect(await cardTakes(card.transport)).toBe(false);
    expect(await cardTakes(chosen)).toBe(true);
    const events = rig.audit.events.filter((e) => e.cardSerial === card.serial);
    expect(events.find((e) => e.action === 'card.pinChange')).toMatchObject({ outcome: 'success', details: { purpose: 'activation', pinChosenByHolder: true } });
    expect(events.find((e) => e.action === 'card.activate' && e.details?.['contract'] !== undefined)?.details).toMatchObject({ pinChosenByHolder: true });
    expect(JSON.stringify(rig.audit.events)).not.toContain(chosen);
  }, 30_000);

  it('keeps the chosen PIN when the card is pulled after the change: the next activation takes that PIN', async () => {
    const card = await chooserCard(14);
    const chosen = otherPin([card.transport]);
    // SELECT, the serial, CHANGE REFERENCE DATA, then VERIFY (index 3): pulled after the card took the new PIN.
    rig.pullAt = { at: 3, when: 'before' };
    expect(await rig.activation.activate(READER, null, operator, Buffer.from(chosen))).toMatchObject({ ok: false, reason: 'cardRemoved', serial: card.serial });
    expect(rig.lastConnection?.transmitted).toBe(4);
    expect(rig.vault.directory.card(card.serial).state).toBe('awaitingActivation');
    expect(rig.deps.personalisations.transportPinPending(card.serial)).toBe(false);
    expect(rig.issuer.status(card.serial).personalisation).toMatchObject({ pinChosenByHolder: true, transportPinPending: false });
    expect((await rig.contracts.get(card.contractId)).status).toBe('awaitingSignature');

    // A new PIN again is refused (the holder's is in force); the chosen PIN activates.
    expect(await rig.activation.activate(READER, null, operator, Buffer.from(otherPin([card.transport, chosen])))).toMatchObject({ ok: false, reason: 'pinRequired' });
    expect(await rig.activation.activate(READER, Buffer.from(chosen), operator)).toMatchObject({ ok: true, serial: card.serial });
    expect(rig.vault.directory.card(card.serial).state).toBe('active');
    expect(await cardTakes(chosen)).toBe(true);
  }, 30_000);

  it('finds the chosen PIN in force when the answer to the change was lost, and then takes it', async () => {
    const card = await chooserCard(15);
    const chosen = otherPin([card.transport]);
    // The card runs CHANGE REFERENCE DATA (index 2) but its answer never comes back: the vault still holds the transport PIN.
    rig.pullAt = { at: 2, when: 'after' };
    expect(await rig.activation.activate(READER, null, operator, Buffer.from(chosen))).toMatchObject({ ok: false, reason: 'cardRemoved' });
    expect(rig.deps.personalisations.transportPinPending(card.serial)).toBe(true);
    expect(await cardTakes(chosen)).toBe(true);
    // The card refuses the transport PIN: the vault forgets it and the holder activates with their PIN.
    expect(await rig.activation.activate(READER, null, operator, Buffer.from(chosen))).toMatchObject({ ok: false, reason: 'pinRequired' });
    expect(rig.deps.personalisations.transportPinPending(card.serial)).toBe(false);
    expect(await rig.activation.activate(READER, Buffer.from(chosen), operator)).toMatchObject({ ok: true });
    expect(rig.vault.directory.card(card.serial).state).toBe('active');
  }, 30_000);

  it('refuses a new PIN for a card whose PIN came in the letter', async () => {
    const card = await issued(16);
    expect(await rig.activation.activate(READER, null, operator, Buffer.from(otherPin([card.pin])))).toMatchObject({ ok: false, reason: 'pinRequired' });
    expect(await rig.activation.activate(READER, null, operator)).toMatchObject({ ok: false, reason: 'pinRequired' });
    expect(await cardTakes(card.pin)).toBe(true);
  });
});
