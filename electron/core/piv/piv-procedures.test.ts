/** The card procedures against the virtual PIV card, in process. */
import { randomBytes } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { connectTo, freshCard } from '../../../test/support/memory-card';
import { FACTORY, PIN_REF } from '../../smartcard/piv';
import { ApduTransport } from './apdu-transport';
import { PivClient } from './piv-client';
import { authenticateWithCandidates, factoryReset, setPinAndPuk, setRetryCounters } from './piv-procedures';

const pin = (text: string): Buffer => Buffer.from(text);
const factoryKey = (): Buffer => Buffer.from(FACTORY.MANAGEMENT_KEY);

describe('PIV procedures ↔ virtual PIV card', () => {
  let client: PivClient;

  beforeEach(async () => {
    const { card } = await freshCard();
    client = new PivClient(new ApduTransport(connectTo(card)));
    expect(await client.select()).not.toBeNull();
  });

  describe('management-key authentication with candidates', () => {
    it('tries the candidates in order, says which one the card took, and zeroes every key', async () => {
      const wrong = randomBytes(32);
      const right = factoryKey();
      const after = randomBytes(24);
      const source = await authenticateWithCandidates(client, [
        { algorithm: 'aes256', key: wrong, source: 'current' },
        { algorithm: 'tdes', key: right, source: 'factory' },
        { algorithm: 'tdes', key: after, source: 'pending' },
      ]);
      expect(source).toBe('factory');
      for (const key of [wrong, right, after]) expect(key.every((byte) => byte === 0)).toBe(true);
      // Authenticated: a management-key command goes through.
      await expect(client.generateKey('9A', 'eccp256')).resolves.toBeInstanceOf(Uint8Array);
    });

    it('returns null when the card takes none of them', async () => {
      const key = randomBytes(24);
      expect(await authenticateWithCandidates(client, [{ algorithm: 'tdes', key, source: 'current' }])).toBeNull();
      expect(key.every((byte) => byte === 0)).toBe(true);
    });
  });

  describe('PIN and PUK at issuance', () => {
    it('sets PIN, PUK and retry limits from a card whose PIN nobody knows', async () => {
      await authenticateWithCandidates(client, [{ algorithm: 'tdes', key: factoryKey(), source: 'factory' }]);
      await client.changePin(pin(FACTORY.PIN), pin('99887766'));
      await setPinAndPuk(client, pin('13572468'), pin('86427531'), 5, 4);
      expect(await client.referenceMetadata(PIN_REF.PIV_PIN)).toEqual({ isDefault: false, maxTries: 5, triesLeft: 5 });
      expect(await client.referenceMetadata(PIN_REF.PUK)).toEqual({ isDefault: false, maxTries: 4, triesLeft: 4 });
      expect(await client.verifyPin(pin('13572468'))).toEqual({ ok: true });
      expect(await client.changePuk(pin('86427531'), pin('86427531'))).toEqual({ ok: true });
    });
  });

  describe('retry counters', () => {
    it('sets new limits and keeps the PIN and PUK (the vendor command alone would reset them)', async () => {
      await client.changePin(pin(FACTORY.PIN), pin('13572468'));
      await client.changePuk(pin(FACTORY.PUK), pin('86427531'));
      await client.authenticateManagementKey('tdes', factoryKey());
      expect(await setRetryCounters(client, 5, 4, { pin: pin('13572468'), puk: pin('86427531') })).toEqual({ ok: true });
      expect(await client.referenceMetadata(PIN_REF.PIV_PIN)).toEqual({ isDefault: false, maxTries: 5, triesLeft: 5 });
      expect(await client.referenceMetadata(PIN_REF.PUK)).toEqual({ isDefault: false, maxTries: 4, triesLeft: 4 });
      expect(await client.verifyPin(pin('13572468'))).toEqual({ ok: true });
      expect(await client.changePuk(pin('86427531'), pin('86427531'))).toEqual({ ok: true });
    });

    it('changes nothing when the PUK given is wrong', async () => {
      await client.authenticateManagementKey('tdes', factoryKey());
      expect(await setRetryCounters(client, 5, 5, { pin: pin(FACTORY.PIN), puk: pin('00000000') })).toEqual({
        ok: false,
        reason: 'wrong',
        triesLeft: 2,
        which: 'puk',
      });
      expect(await client.referenceMetadata(PIN_REF.PIV_PIN)).toMatchObject({ maxTries: 3 });
    });
  });

  describe('factory reset', () => {
    it('blocks PIN and PUK itself and brings back factory PIN, PUK and management key, without keys or certificates', async () => {
      await client.authenticateManagementKey('tdes', factoryKey());
      await client.generateKey('9C', 'eccp256');
      await client.setManagementKey('aes256', randomBytes(32));
      await client.changePin(pin(FACTORY.PIN), pin('24681357'));
      await factoryReset(client);
      expect(await client.referenceMetadata(PIN_REF.PIV_PIN)).toMatchObject({ isDefault: true, triesLeft: 3 });
      expect(await client.referenceMetadata(PIN_REF.PUK)).toMatchObject({ isDefault: true, triesLeft: 3 });
      expect(await client.managementKeyMetadata()).toEqual({ algorithm: 'tdes', isDefault: true });
      expect(await client.keyMetadata('9C')).toBeNull();
    });
  });
});
