/**
 * Personalisation against the virtual card in process and a real vault: every step, what ends up
 * on the card (checked through a second client), the PIN letter's PIN working on the card, and a
 * card pulled before every APDU of the run — never active, always resumable.
 */
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blankCard, inspect, letterText, lifecycleRig, READER, secretsIn, type LifecycleRig } from '../../../test/support/lifecycle-rig';
import { operator } from '../../../test/support/vault-fixtures';
import type { IssueResult } from '../../shared/schemas/lifecycle';
import { FACTORY, OBJECT, PIN_REF } from '../../smartcard/piv';
import { parseChuid } from '../piv/piv-objects';
import { asContractResult } from './refusals';

let rig: LifecycleRig;
/** APDUs one whole personalisation (P-256 keys) takes. */
let apdusPerIssue = 0;

beforeAll(async () => {
  rig = await lifecycleRig();
}, 60_000);

afterAll(() => rig?.close());

function okResult(result: IssueResult): Extract<IssueResult, { ok: true }> {
  if (!result.ok) throw new Error(`issuance stopped at ${result.step}: ${result.reason}`);
  return result;
}

describe('issuing a card', () => {
  it('personalises a factory card step by step: own key, random PIN/PUK, four keys and certificates, CHUID, CCC, letters, active', async () => {
    const holder = await rig.newHolder(1, { contactPerson: 'Ada Contact' });
    rig.card = await blankCard();
    rig.progress.length = 0;
    const result = okResult(await rig.issuer.issue({ reader: READER, holderId: holder.id, userNumberRecipient: 'contactPerson' }, operator));

    // Progress: every step ran, in order, announced before and after.
    const done = rig.progress.filter((event) => event.state === 'done').map((event) => event.step);
    expect(done).toEqual(['identify', 'authenticate', 'managementKey', 'pinPuk', 'authenticationKey', 'signatureKey', 'encryptionKey', 'cardAuthenticationKey', 'certificates', 'writeObjects', 'letters', 'contract', 'activate']);
    expect(rig.progress.every((event) => event.total === 13 && event.serial !== null || event.step === 'identify')).toBe(true);

    const client = await inspect(rig.card);
    expect(await client.managementKeyMetadata()).toEqual({ algorithm: 'aes256', isDefault: false });
    expect(await client.referenceMetadata(PIN_REF.PIV_PIN)).toMatchObject({ isDefault: false, maxTries: 3, triesLeft: 3 });
    expect(await client.referenceMetadata(PIN_REF.PUK)).toMatchObject({ isDefault: false, maxTries: 3 });
    for (const [slot, certificate] of [['9A', result.certificates[0]], ['9C', result.certificates[1]], ['9D', result.certificates[2]], ['9E', result.certificates[3]]] as const) {
      const der = await client.readCertificate(slot);
      const x509 = new X509Certificate(Buffer.from(der!));
      expect(x509.serialNumber.replace(/^0+/, '')).toBe(certificate?.serial.replace(/^0+/, ''));
      expect(x509.checkIssued(new X509Certificate(rig.vault.ca.chain()[0]!))).toBe(true);
      const meta = await client.keyMetadata(slot);
      expect(Buffer.from(meta!.publicKeyDer).equals(x509.publicKey.export({ format: 'der', type: 'spki' }))).toBe(true);
      expect(meta?.origin).toBe(slot === '9D' ? 'imported' : 'generated');
      // The card authentication certificate: id-PIV-cardAuth, and no name of a person (its key answers without a PIN).
      if (slot === '9E') {
        expect(x509.keyUsage).toEqual(['2.16.840.1.101.3.6.8']);
        expect(x509.subjectAltName).toBeUndefined();
      }
    }
    const chuid = parseChuid((await client.readObject(OBJECT.CHUID))!);
    expect(chuid.expires).toBe(result.certificates[0]!.notAfter.slice(0, 10));

    // The directory and the escrow.
    expect(rig.vault.directory.card(result.serial)).toMatchObject({ state: 'active', holderId: holder.id });
    expect(rig.deps.escrow.forCard(result.serial)).toHaveLength(1);

    // Letters: the PIN letter to the holder works on the card; the user number goes to the contact person.
    // And the Emergency Recovery Code in its own letter (issue 15), with neither the PIN nor the PUK.
    expect(result.letters.map((l) => [l.kind, l.recipient])).toEqual([['pin', 'holder'], ['userNumber', 'contactPerson'], ['recoveryCode', 'holder']]);
    const pinText = letterText(rig, result.letters[0]!.fileName);
    expect(pinText).toContain('We will never ask for your PIN');
    expect(pinText).not.toContain(holder.userNumber);
    const { pin, puk } = secretsIn(pinText);
    expect(pin).toHaveLength(6);
    expect(puk).toHaveLength(8);
    expect(await client.verifyPin(Buffer.from(pin))).toEqual({ ok: true });
    expect(await client.changePuk(Buffer.from(puk!), Buffer.from(puk!))).toEqual({ ok: true });
    const recoveryText = letterText(rig, result.letters[2]!.fileName);
    expect(recoveryText).toContain('Your emergency recovery code');
    expect(recoveryText).not.toContain(pin);
    expect(recoveryText).not.toContain(puk);
    // The PUK is kept sealed in the vault from issuance.
    const sealedPuk = rig.deps.personalisations.puk(result.serial)!;
    expect(sealedPuk.toString('latin1')).toBe(puk);
    sealedPuk.fill(0);
    const numberText = letterText(rig, result.letters[1]!.fileName);
    expect(numberText).toContain('Ada Contact');
    expect(numberText.replace(/\s/g, '')).toContain(holder.userNumber);
    expect(numberText).not.toContain(pin);

    // No secret in the audit trail or the vault's records.
    const trail = JSON.stringify(rig.audit.events);
    expect(trail).not.toContain(pin);
    expect(trail).not.toContain(puk);
    expect(JSON.stringify(rig.vault.access.storage().records.dump())).not.toContain(pin);
  });

  it('refuses a card that is issued already, and one another system personalised', async () => {
    const holder = await rig.newHolder(2);
    rig.card = await blankCard();
    okResult(await rig.issuer.issue({ reader: READER, holderId: holder.id }, operator));
    expect(await rig.issuer.issue({ reader: READER, holderId: holder.id }, operator)).toMatchObject({ ok: false, reason: 'alreadyIssued', step: 'identify' });

    rig.card = await blankCard();
    const foreign = await inspect(rig.card);
    await foreign.authenticateManagementKey('tdes', Uint8Array.from(FACTORY.MANAGEMENT_KEY));
    await foreign.setManagementKey('aes128', Buffer.alloc(16, 7));
    const result = await rig.issuer.issue({ reader: READER, holderId: holder.id }, operator);
    expect(result).toMatchObject({ ok: false, reason: 'foreignCard', step: 'authenticate' });
    expect(rig.vault.directory.card(result.serial!).state).toBe('blank');
  });

  it('says so when the reader is empty, and needs the vault unlocked', async () => {
    const holder = await rig.newHolder(3);
    rig.card = null;
    expect(await rig.issuer.issue({ reader: READER, holderId: holder.id }, operator)).toMatchObject({ ok: false, reason: 'noCard', step: null });
    rig.vault.keyring.lock();
    try {
      await expect(rig.issuer.issue({ reader: READER, holderId: holder.id }, operator)).rejects.toMatchObject({ code: 'VAULT_LOCKED' });
    } finally {
      await rig.vault.vault.unlock(Buffer.from('correct horse battery staple'), operator);
    }
  });

  it('refuses by value what it cannot do before touching a card, and the contract keeps answering with the error', async () => {
    rig.card = await blankCard();
    const unknownHolder = await rig.issuer.issue({ reader: READER, holderId: 'no-such-holder' }, operator);
    expect(unknownHolder).toMatchObject({ ok: false, reason: 'invalidState', step: null, refusal: { code: 'NOT_FOUND', message: 'There is no holder no-such-holder.' } });
    expect(() => asContractResult(unknownHolder)).toThrow(expect.objectContaining({ code: 'NOT_FOUND', message: 'There is no holder no-such-holder.' }));
    const notLost = await rig.issuer.replace({ reader: READER, lostSerial: 'NO-SUCH-CARD' }, operator);
    expect(notLost).toMatchObject({ ok: false, reason: 'unknownCard', refusal: { code: 'NOT_FOUND' } });
    const nothingToResume = await rig.issuer.resume({ reader: READER, serial: 'NO-SUCH-CARD', restart: false }, operator);
    expect(() => asContractResult(nothingToResume)).toThrow(expect.objectContaining({ code: 'NOT_FOUND', message: 'Card NO-SUCH-CARD has no personalisation to resume.' }));
    // A refusal touches no card: nothing was registered.
    expect(rig.vault.directory.cardOrNull('NO-SUCH-CARD')).toBeNull();
  });
});

describe('a card pulled during personalisation', () => {
  // P-256 keys: the same workflow, and each of the many runs below is quick.
  beforeAll(async () => {
    await rig.lifecycle.updatePolicy({ keys: { authentication: 'eccp256', signature: 'eccp256', encryption: 'eccp256' } }, operator);
    rig.card = await blankCard();
    okResult(await rig.issuer.issue({ reader: READER, holderId: (await rig.newHolder(9)).id }, operator));
    apdusPerIssue = rig.lastConnection!.transmitted;
  });
  afterAll(async () => {
    await rig.lifecycle.updatePolicy({ keys: { authentication: 'rsa2048', signature: 'rsa2048', encryption: 'rsa2048' } }, operator);
  });

  it.each(['before', 'after'] as const)('is never active, says which step stopped, and a resume finishes it — pulled %s every APDU of the run', async (when) => {
    const holder = await rig.newHolder(4);
    const total = apdusPerIssue;
    expect(total).toBeGreaterThan(20);

    // Each stop leaves a card that is not active and can be finished.
    for (let at = 0; at < total; at += 1) {
      const card = await blankCard();
      rig.card = card;
      rig.pullAt = { at, when };
      const stopped = await rig.issuer.issue({ reader: READER, holderId: holder.id }, operator);
      if (stopped.ok) throw new Error(`pulled ${when} APDU ${at} of ${total} and still reported done`);
      expect(stopped.reason).toBe('cardRemoved');
      const record = stopped.serial === null ? undefined : rig.deps.personalisations.get(stopped.serial);
      if (record === undefined) {
        // Pulled before the card was identified: nothing started; the operator simply issues again.
        expect(stopped.step === null || stopped.step === 'identify').toBe(true);
        okResult(await rig.issuer.issue({ reader: READER, holderId: holder.id }, operator));
        continue;
      }
      expect(['blank', 'personalisationIncomplete']).toContain(rig.vault.directory.card(record.id).state);
      expect(record).toMatchObject({ failedStep: stopped.step });

      // The card goes back in; the operator resumes.
      const resumed = okResult(await rig.issuer.resume({ reader: READER, serial: stopped.serial!, restart: false }, operator));
      expect(rig.vault.directory.card(resumed.serial).state).toBe('active');
      const client = await inspect(card);
      const { pin } = secretsIn(letterText(rig, resumed.letters[0]!.fileName));
      expect(await client.verifyPin(Buffer.from(pin)), `resumed after a pull ${when} APDU ${at}`).toEqual({ ok: true });
      for (const certificate of resumed.certificates) expect(certificate.status).toBe('valid');
      // Only the resumed run's letters are in the outbox for this card.
      expect(rig.deps.personalisations.get(resumed.serial)?.letters).toEqual(resumed.letters.map((l) => l.fileName));
    }
  }, 300_000);

  it('resumes only the card it was asked to, and a restart wipes the card and revokes what the first run issued', async () => {
    const holder = await rig.newHolder(5);
    const card = await blankCard();
    rig.card = card;
    rig.pullAt = { at: Math.floor(apdusPerIssue * 0.7), when: 'before' };
    const stopped = await rig.issuer.issue({ reader: READER, holderId: holder.id }, operator);
    expect(stopped.ok).toBe(false);
    const serial = stopped.serial!;
    const issuedBefore = Object.values(rig.deps.personalisations.get(serial)!.certificates);

    rig.card = await blankCard();
    expect(await rig.issuer.resume({ reader: READER, serial, restart: false }, operator)).toMatchObject({ ok: false, reason: 'wrongCard' });

    rig.card = card;
    const restarted = okResult(await rig.issuer.resume({ reader: READER, serial, restart: true }, operator));
    for (const old of issuedBefore) expect(rig.vault.certificates.summary(rig.vault.certificates.record(old)).status).toBe('revoked');
    expect(restarted.certificates.map((c) => c.serial)).not.toEqual(expect.arrayContaining(issuedBefore.length > 0 ? [issuedBefore[0]] : ['none']));
  });
});
