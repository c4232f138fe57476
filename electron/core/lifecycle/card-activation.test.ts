/**
 * Activation against the virtual card in process and a real vault: a new card waits with its 9A
 * and 9D certificates on hold; a wrong PIN, a blocked PIN or a card pulled while it signs leave it
 * waiting with the contract unsigned; the PIN from the PIN letter has the card's 9C key sign the
 * contract (PAdES B-LTA, checked by CardDesk's verifier) and only then is the card active.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blankCard, letterText, lifecycleRig, READER, secretsIn, type LifecycleRig } from '../../../test/support/lifecycle-rig';
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
  it('issues the card awaiting activation, with a contract and only its signature certificate valid', async () => {
    const card = await issued(1);
    expect(card.cardState).toBe('awaitingActivation');
    expect(rig.vault.directory.card(card.serial).state).toBe('awaitingActivation');
    expect(statuses(card.serial)).toEqual({ authentication: 'suspended', signature: 'valid', encryption: 'suspended' });
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
    expect(statuses(card.serial)).toEqual({ authentication: 'valid', signature: 'valid', encryption: 'valid' });

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
      expect(statuses(card.serial)).toEqual({ authentication: 'valid', signature: 'valid', encryption: 'valid' });
      expect((await rig.contracts.get(card.contractId)).status).toBe('awaitingSignature');
    } finally {
      await rig.lifecycle.updatePolicy({ activation: 'holderSigns' }, operator);
    }
  });

  it('is the policy of a new desk', () => {
    expect(defaultIssuancePolicy.activation).toBe('holderSigns');
  });
});
