/**
 * The PIV client against the virtual PIV card, in process: every card command both ways, with
 * signatures checked by Node's crypto against the public key the card returned.
 */
import { constants, createHash, createPublicKey, publicEncrypt, randomBytes, verify, X509Certificate, createECDH } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { connectTo, freshCard } from '../../../test/support/memory-card';
import { managementKeyCipher } from '../../smartcard/management-key';
import { FACTORY, OBJECT, PIN_REF } from '../../smartcard/piv';
import type { VirtualPivCard } from '../../vcard/piv-card';
import { ApduTransport } from './apdu-transport';
import { PivClient, PivStatusError } from './piv-client';
import { parseChuid } from './piv-objects';

const pin = (text: string): Uint8Array => Buffer.from(text);
const factoryKey = Uint8Array.from(FACTORY.MANAGEMENT_KEY);

/** PKCS#1 v1.5 signature block for a SHA-256 digest (RFC 8017 §9.2), as a host builds it for a PIV card. */
function pkcs1Block(digest: Buffer, size: number): Buffer {
  const prefix = Buffer.from('3031300d060960864801650304020105000420', 'hex');
  const t = Buffer.concat([prefix, digest]);
  return Buffer.concat([Buffer.from([0x00, 0x01]), Buffer.alloc(size - t.length - 3, 0xff), Buffer.from([0x00]), t]);
}

describe('PIV client ↔ virtual PIV card', () => {
  let card: VirtualPivCard;
  let client: PivClient;

  beforeEach(async () => {
    ({ card } = await freshCard());
    client = new PivClient(new ApduTransport(connectTo(card)));
    expect(await client.select()).not.toBeNull();
  });

  it('selects the PIV application and reads its label and algorithms', async () => {
    const app = await client.select();
    expect(app?.label).toBe('CardDesk virtual PIV');
    expect(app?.algorithms).toEqual(expect.arrayContaining([0x03, 0x07, 0x11, 0x14, 0x08, 0x0a, 0x0c]));
  });

  it('identifies itself with vendor version and serial', async () => {
    expect(await client.version()).toBe('5.7.1');
    expect(await client.serial()).toBe(12345678);
  });

  it('carries a CHUID with a GUID and an expiry, a CCC and a discovery object', async () => {
    const chuid = parseChuid((await client.readObject(OBJECT.CHUID))!);
    expect(chuid.guid).toMatch(/^[0-9A-F]{32}$/);
    expect(chuid.expires).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(await client.readObject(OBJECT.CARD_CAPABILITY_CONTAINER)).not.toBeNull();
    expect(await client.readObject(OBJECT.DISCOVERY)).not.toBeNull();
    expect(await client.readObject(OBJECT.KEY_HISTORY)).toBeNull();
  });

  describe('PIN', () => {
    it('reports tries left without spending one', async () => {
      expect(await client.pinStatus()).toEqual({ verified: false, triesLeft: 3 });
      expect(await client.pinStatus()).toEqual({ verified: false, triesLeft: 3 });
    });

    it('counts wrong PINs down, blocks at zero, and a right PIN restores the count', async () => {
      expect(await client.verifyPin(pin('000000'))).toEqual({ ok: false, reason: 'wrong', triesLeft: 2 });
      expect(await client.verifyPin(pin(FACTORY.PIN))).toEqual({ ok: true });
      expect(await client.pinStatus()).toEqual({ verified: true, triesLeft: -1 });
      expect(await client.verifyPin(pin('000000'))).toEqual({ ok: false, reason: 'wrong', triesLeft: 2 });
      expect(await client.verifyPin(pin('000000'))).toEqual({ ok: false, reason: 'wrong', triesLeft: 1 });
      expect(await client.verifyPin(pin('000000'))).toEqual({ ok: false, reason: 'blocked' });
      expect(await client.verifyPin(pin(FACTORY.PIN))).toEqual({ ok: false, reason: 'blocked' });
      expect(await client.pinStatus()).toEqual({ verified: false, triesLeft: 0 });
    });

    it('refuses PINs shorter than 6 or longer than 8 without spending a try', async () => {
      await expect(client.verifyPin(pin('12345'))).rejects.toThrow(PivStatusError);
      await expect(client.verifyPin(pin('123456789'))).rejects.toThrow(RangeError);
      expect(await client.pinStatus()).toEqual({ verified: false, triesLeft: 3 });
    });

    it('changes the PIN and the PUK; the old ones stop working', async () => {
      expect(await client.changePin(pin(FACTORY.PIN), pin('24681357'))).toEqual({ ok: true });
      expect(await client.verifyPin(pin(FACTORY.PIN))).toMatchObject({ ok: false, reason: 'wrong' });
      expect(await client.verifyPin(pin('24681357'))).toEqual({ ok: true });
      expect(await client.changePuk(pin(FACTORY.PUK), pin('87654321'))).toEqual({ ok: true });
      expect(await client.changePuk(pin(FACTORY.PUK), pin('11111111'))).toEqual({ ok: false, reason: 'wrong', triesLeft: 2 });
    });

    it('unblocks a blocked PIN with the PUK and sets the new PIN', async () => {
      for (let i = 0; i < 3; i += 1) await client.verifyPin(pin('000000'));
      expect(await client.unblockPin(pin('00000000'), pin('555555'))).toEqual({ ok: false, reason: 'wrong', triesLeft: 2 });
      expect(await client.unblockPin(pin(FACTORY.PUK), pin('555555'))).toEqual({ ok: true });
      expect(await client.verifyPin(pin('555555'))).toEqual({ ok: true });
    });

    it('blocks the PUK after its tries, and then nothing unblocks the PIN', async () => {
      for (let i = 0; i < 3; i += 1) await client.verifyPin(pin('000000'));
      for (let i = 0; i < 3; i += 1) await client.unblockPin(pin('00000000'), pin('555555'));
      expect(await client.unblockPin(pin(FACTORY.PUK), pin('555555'))).toEqual({ ok: false, reason: 'blocked' });
    });

    it('reports the default PIN, PUK and management key through metadata', async () => {
      expect(await client.referenceMetadata(PIN_REF.PIV_PIN)).toEqual({ isDefault: true, maxTries: 3, triesLeft: 3 });
      expect(await client.managementKeyMetadata()).toEqual({ algorithm: 'tdes', isDefault: true });
      await client.changePin(pin(FACTORY.PIN), pin('97531246'));
      expect(await client.referenceMetadata(PIN_REF.PIV_PIN)).toEqual({ isDefault: false, maxTries: 3, triesLeft: 3 });
    });
  });

  describe('management key', () => {
    it('authenticates with the factory 3DES key and refuses a wrong one', async () => {
      expect(await client.authenticateManagementKey('tdes', factoryKey)).toEqual({ ok: true });
      expect(await client.authenticateManagementKey('tdes', randomBytes(24))).toEqual({ ok: false, reason: 'wrongKey' });
    });

    it.each(['aes128', 'aes192', 'aes256', 'tdes'] as const)('changes to a %s key and authenticates with it', async (algorithm) => {
      await client.authenticateManagementKey('tdes', factoryKey);
      const key = randomBytes({ aes128: 16, aes192: 24, aes256: 32, tdes: 24 }[algorithm]);
      await client.setManagementKey(algorithm, key);
      expect(await client.authenticateManagementKey(algorithm, key)).toEqual({ ok: true });
      expect(await client.authenticateManagementKey('tdes', factoryKey)).toEqual({ ok: false, reason: 'wrongKey' });
      expect((await client.managementKeyMetadata())?.isDefault).toBe(false);
    });

    it('also authenticates by external authentication (card challenge, host encrypts it), as piv-tool "A" mode does', async () => {
      const { transport } = client;
      const challengeResponse = await transport.send({ cla: 0, ins: 0x87, p1: 0x03, p2: 0x9b, data: Uint8Array.of(0x7c, 0x02, 0x81, 0x00) });
      expect(challengeResponse.sw).toBe(0x9000);
      const challenge = challengeResponse.data.subarray(4);
      expect(challenge).toHaveLength(8);
      const encrypted = managementKeyCipher('tdes', factoryKey, challenge, 'encrypt');
      const answer = await transport.send({ cla: 0, ins: 0x87, p1: 0x03, p2: 0x9b, data: Uint8Array.from([0x7c, 0x0a, 0x82, 0x08, ...encrypted]) });
      expect(answer.sw).toBe(0x9000);
      // Now authenticated: key generation is allowed.
      await expect(client.generateKey('9E', 'eccp256')).resolves.toBeInstanceOf(Uint8Array);
      // A wrong answer is refused.
      await transport.send({ cla: 0, ins: 0x87, p1: 0x03, p2: 0x9b, data: Uint8Array.of(0x7c, 0x02, 0x81, 0x00) });
      const wrong = await transport.send({ cla: 0, ins: 0x87, p1: 0x03, p2: 0x9b, data: Uint8Array.from([0x7c, 0x0a, 0x82, 0x08, ...encrypted]) });
      expect(wrong.sw).toBe(0x6982);
    });

    it('hands out random challenges for hosts that use GENERAL AUTHENTICATE as GET CHALLENGE (P1 = 00)', async () => {
      const first = await client.transport.send({ cla: 0, ins: 0x87, p1: 0x00, p2: 0x9b, data: Uint8Array.of(0x7c, 0x02, 0x81, 0x00) });
      const second = await client.transport.send({ cla: 0, ins: 0x87, p1: 0x00, p2: 0x9b, data: Uint8Array.of(0x7c, 0x02, 0x81, 0x00) });
      expect([first.sw, second.sw]).toEqual([0x9000, 0x9000]);
      expect(Buffer.from(first.data).equals(Buffer.from(second.data))).toBe(false);
    });

    it('guards PUT DATA and key generation', async () => {
      await expect(client.writeObject(OBJECT.PRINTED_INFORMATION, Uint8Array.of(1, 2, 3))).rejects.toMatchObject({ sw: 0x6982 });
      await expect(client.generateKey('9A', 'eccp256')).rejects.toMatchObject({ sw: 0x6982 });
    });
  });

  describe('keys and private-key operations', () => {
    beforeEach(async () => {
      await client.authenticateManagementKey('tdes', factoryKey);
    });

    it('generates RSA-2048 in 9A and signs a PKCS#1 block after the PIN', async () => {
      const spki = await client.generateKey('9A', 'rsa2048');
      const publicKey = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
      expect(publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
      const message = Buffer.from('CardDesk signs this');
      const block = pkcs1Block(createHash('sha256').update(message).digest(), 256);
      await expect(client.sign('9A', 'rsa2048', block)).rejects.toMatchObject({ sw: 0x6982 });
      await client.verifyPin(pin(FACTORY.PIN));
      const signature = await client.sign('9A', 'rsa2048', block);
      expect(verify('sha256', message, publicKey, signature)).toBe(true);
    });

    it.each([['eccp256', 'sha256'], ['eccp384', 'sha384']] as const)('generates %s and makes ECDSA signatures that verify', async (algorithm, hash) => {
      const spki = await client.generateKey('9A', algorithm);
      const publicKey = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
      await client.verifyPin(pin(FACTORY.PIN));
      const message = Buffer.from('PIV ECDSA');
      const signature = await client.sign('9A', algorithm, createHash(hash).update(message).digest());
      expect(verify(hash, message, publicKey, signature)).toBe(true);
    });

    it('needs the PIN again before every use of the signature key (9C, PIN always)', async () => {
      const publicKey = createPublicKey({ key: Buffer.from(await client.generateKey('9C', 'eccp256')), format: 'der', type: 'spki' });
      const digest = createHash('sha256').update('x').digest();
      await client.verifyPin(pin(FACTORY.PIN));
      expect(verify('sha256', Buffer.from('x'), publicKey, await client.sign('9C', 'eccp256', digest))).toBe(true);
      await expect(client.sign('9C', 'eccp256', digest)).rejects.toMatchObject({ sw: 0x6982 });
      await client.verifyPin(pin(FACTORY.PIN));
      await expect(client.sign('9C', 'eccp256', digest)).resolves.toBeInstanceOf(Uint8Array);
    });

    it('lets card authentication (9E) work without a PIN', async () => {
      await client.generateKey('9E', 'eccp256');
      await expect(client.sign('9E', 'eccp256', createHash('sha256').update('y').digest())).resolves.toBeInstanceOf(Uint8Array);
    });

    it('decrypts with the key-management key (9D)', async () => {
      const publicKey = createPublicKey({ key: Buffer.from(await client.generateKey('9D', 'rsa2048')), format: 'der', type: 'spki' });
      const secret = randomBytes(32);
      const encrypted = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, secret);
      await client.verifyPin(pin(FACTORY.PIN));
      const block = await client.decrypt('9D', 'rsa2048', encrypted);
      // The card returns the raw block: 00 02 <random non-zero> 00 <secret>.
      expect(Buffer.from(block.subarray(block.length - 32)).equals(secret)).toBe(true);
      expect(block[1]).toBe(0x02);
    });

    it('agrees on a shared secret with ECDH', async () => {
      await client.generateKey('9D', 'eccp256');
      const cardPublic = createPublicKey({ key: Buffer.from((await client.keyMetadata('9D'))!.publicKeyDer), format: 'der', type: 'spki' });
      const peer = createECDH('prime256v1');
      peer.generateKeys();
      await client.verifyPin(pin(FACTORY.PIN));
      const shared = await client.ecdh('9D', 'eccp256', peer.getPublicKey());
      const cardPoint = cardPublic.export({ format: 'jwk' });
      const expected = peer.computeSecret(Buffer.concat([Buffer.of(4), Buffer.from(cardPoint.x!, 'base64url'), Buffer.from(cardPoint.y!, 'base64url')]));
      expect(Buffer.from(shared).equals(expected)).toBe(true);
    });

    it('writes and reads back a certificate larger than one APDU (chaining and GET RESPONSE)', async () => {
      const fake = Buffer.concat([Buffer.from([0x30, 0x82, 0x07, 0xd0]), randomBytes(2000)]);
      const transport = client.transport;
      const before = transport.sent;
      await client.writeCertificate('9A', fake);
      expect(transport.sent - before).toBeGreaterThanOrEqual(8);
      const back = await client.readCertificate('9A');
      expect(Buffer.from(back!).equals(fake)).toBe(true);
      expect(transport.sent - before).toBeGreaterThanOrEqual(16);
    });

    it('also takes long commands and answers as single extended-length APDUs', async () => {
      const extended = new PivClient(new ApduTransport(connectTo(card), 'extended'));
      await extended.select();
      await extended.authenticateManagementKey('tdes', factoryKey);
      const fake = Buffer.concat([Buffer.from([0x30, 0x82, 0x07, 0xd0]), randomBytes(2000)]);
      const before = extended.transport.sent;
      await extended.writeCertificate('9D', fake);
      expect(extended.transport.sent - before).toBe(1);
      expect(Buffer.from((await extended.readCertificate('9D'))!).equals(fake)).toBe(true);
      expect(extended.transport.sent - before).toBe(2);
    });

    it.each(['rsa2048', 'eccp256', 'eccp384'] as const)('imports a %s key (vendor IMPORT KEY), signs with it, and refuses to attest it', async (algorithm) => {
      const { generateKeyPairSync, createPublicKey: publicOf } = await import('node:crypto');
      const pair =
        algorithm === 'rsa2048'
          ? generateKeyPairSync('rsa', { modulusLength: 2048 })
          : generateKeyPairSync('ec', { namedCurve: algorithm === 'eccp256' ? 'prime256v1' : 'secp384r1' });
      expect(await client.importKey('9A', pair.privateKey)).toBe(algorithm);
      const meta = await client.keyMetadata('9A');
      expect(meta?.origin).toBe('imported');
      expect(Buffer.from(meta!.publicKeyDer).equals(publicOf(pair.privateKey).export({ format: 'der', type: 'spki' }))).toBe(true);
      await client.verifyPin(pin(FACTORY.PIN));
      const hash = algorithm === 'eccp384' ? 'sha384' : 'sha256';
      const message = Buffer.from('imported');
      const input = algorithm === 'rsa2048' ? pkcs1Block(createHash('sha256').update(message).digest(), 256) : createHash(hash).update(message).digest();
      expect(verify(hash, message, pair.publicKey, await client.sign('9A', algorithm, input))).toBe(true);
      await expect(client.attest('9A')).rejects.toMatchObject({ sw: 0x6a80 });
    });

    it('attests a generated key with a certificate that chains to the attestation certificate', async () => {
      const spki = await client.generateKey('9A', 'eccp256');
      const attestation = new X509Certificate(Buffer.from(await client.attest('9A')));
      const issuer = new X509Certificate(Buffer.from((await client.attestationCertificate())!));
      expect(attestation.verify(issuer.publicKey)).toBe(true);
      expect(attestation.checkIssued(issuer)).toBe(true);
      expect(attestation.publicKey.export({ format: 'der', type: 'spki' }).equals(Buffer.from(spki))).toBe(true);
    });

    it('writes a new CHUID and CCC', async () => {
      const guid = randomBytes(16);
      await client.writeChuid(guid, new Date('2031-05-06T00:00:00Z'));
      expect(parseChuid((await client.readObject(OBJECT.CHUID))!)).toMatchObject({ guid: guid.toString('hex').toUpperCase(), expires: '2031-05-06' });
      const cardId = randomBytes(14);
      await client.writeCcc(cardId);
      expect(Buffer.from((await client.readObject(OBJECT.CARD_CAPABILITY_CONTAINER))!).includes(cardId)).toBe(true);
    });

    it('reports key metadata: algorithm, policy, origin', async () => {
      await client.generateKey('9C', 'rsa2048');
      expect(await client.keyMetadata('9C')).toMatchObject({ algorithmId: 0x07, pinPolicy: 'always', origin: 'generated' });
      expect(await client.keyMetadata('9D')).toBeNull();
    });
  });

  describe('vendor reset', () => {
    it('is refused while the PIN or PUK still works, and wipes the card once both are blocked', async () => {
      await client.authenticateManagementKey('tdes', factoryKey);
      await client.generateKey('9A', 'eccp256');
      const transport = client.transport;
      const refused = await transport.send({ cla: 0, ins: 0xfb, p1: 0, p2: 0 });
      expect(refused.sw).toBe(0x6985);
      for (let i = 0; i < 3; i += 1) await client.verifyPin(pin('000000'));
      for (let i = 0; i < 3; i += 1) await client.changePuk(pin('00000000'), pin('11111111'));
      const done = await transport.send({ cla: 0, ins: 0xfb, p1: 0, p2: 0 });
      expect(done.sw).toBe(0x9000);
      expect(await client.verifyPin(pin(FACTORY.PIN))).toEqual({ ok: true });
      expect(await client.keyMetadata('9A')).toBeNull();
    });
  });

  describe('PIN reset with the management key (RESET RETRY COUNTER P1 = 02)', () => {
    async function blockPin(): Promise<void> {
      for (let i = 0; i < 3; i += 1) await client.verifyPin(pin('000000'));
      expect(await client.verifyPin(pin(FACTORY.PIN))).toEqual({ ok: false, reason: 'blocked' });
    }

    it('is refused without the management key', async () => {
      await blockPin();
      await expect(client.resetPinWithManagementKey(pin('13572468'))).rejects.toMatchObject({ sw: 0x6982 });
    });

    it('sets a new PIN with all its tries once the management key authenticated', async () => {
      await blockPin();
      await client.authenticateManagementKey('tdes', factoryKey);
      await client.resetPinWithManagementKey(pin('13572468'));
      expect(await client.referenceMetadata(PIN_REF.PIV_PIN)).toMatchObject({ triesLeft: 3, isDefault: false });
      expect(await client.verifyPin(pin('13572468'))).toEqual({ ok: true });
    });
  });

  describe('external authentication with the card\'s challenge', () => {
    const key = randomBytes(16);

    beforeEach(async () => {
      await client.authenticateManagementKey('tdes', factoryKey);
      await client.setManagementKey('aes128', key);
      client = new PivClient(new ApduTransport(connectTo(card)));
      await client.select();
    });

    it('authenticates with the challenge encrypted under the key, once', async () => {
      const challenge = await client.managementKeyChallenge('aes128');
      expect(challenge).toHaveLength(16);
      const response = managementKeyCipher('aes128', key, challenge, 'encrypt');
      expect(await client.answerManagementKeyChallenge('aes128', response)).toEqual({ ok: true });
      await client.resetPinWithManagementKey(pin('11223344'));
      expect(await client.answerManagementKeyChallenge('aes128', response)).toEqual({ ok: false, reason: 'wrongResponse' });
    });

    it('refuses a wrong answer, and the challenge is gone after it', async () => {
      const challenge = await client.managementKeyChallenge('aes128');
      const response = managementKeyCipher('aes128', key, challenge, 'encrypt');
      expect(await client.answerManagementKeyChallenge('aes128', randomBytes(16))).toEqual({ ok: false, reason: 'wrongResponse' });
      expect(await client.answerManagementKeyChallenge('aes128', response)).toEqual({ ok: false, reason: 'wrongResponse' });
    });

    it('forgets the challenge when another command comes between', async () => {
      const challenge = await client.managementKeyChallenge('aes128');
      await client.pinStatus();
      expect(await client.answerManagementKeyChallenge('aes128', managementKeyCipher('aes128', key, challenge, 'encrypt'))).toEqual({
        ok: false,
        reason: 'wrongResponse',
      });
    });
  });
});
