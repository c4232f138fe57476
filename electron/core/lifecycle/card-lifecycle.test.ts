/**
 * After issuance, against the virtual card in process and a real vault: offline unblock (holder
 * side and desk side together), PIN reset, suspend/resume, revoke, lost and replaced with the
 * escrowed encryption key recovered (data encrypted to the lost card opens on the new one),
 * renew, retire, the expiry watch, and cards pulled in the middle of renew.
 */
import { constants, publicEncrypt, X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blankCard, inspect, letterText, lifecycleRig, READER, secretsIn, type LifecycleRig } from '../../../test/support/lifecycle-rig';
import { operator } from '../../../test/support/vault-fixtures';
import type { Holder } from '../../shared/schemas/holders';
import type { IssueResult } from '../../shared/schemas/lifecycle';
import type { VirtualPivCard } from '../../vcard/piv-card';
import { OfflineUnblockService } from '../cards/offline-unblock';
import { directoryCardOwners } from '../cards/card-owners';
import { OBJECT } from '../../smartcard/piv';

let rig: LifecycleRig;
const holderOp = { actor: { kind: 'holder' as const, id: 'holder' }, channel: 'kiosk' as const };

beforeAll(async () => {
  rig = await lifecycleRig();
}, 60_000);

afterAll(() => rig?.close());

interface Issued {
  holder: Holder;
  card: VirtualPivCard;
  serial: string;
  pin: string;
  result: Extract<IssueResult, { ok: true }>;
}

async function issued(n: number): Promise<Issued> {
  const holder = await rig.newHolder(n);
  const card = await blankCard();
  rig.card = card;
  const result = await rig.issuer.issue({ reader: READER, holderId: holder.id }, operator);
  if (!result.ok) throw new Error(`issuance stopped: ${result.reason}`);
  return { holder, card, serial: result.serial, pin: secretsIn(letterText(rig, result.letters[0]!.fileName)).pin, result };
}

async function blockPin(card: VirtualPivCard): Promise<void> {
  const client = await inspect(card);
  for (let i = 0; i < 3; i += 1) await client.verifyPin(Buffer.from('00000000'));
}

/** PKCS#1 v1.5 type 2 unpadding of a raw RSA decryption block. */
function unpad(block: Uint8Array): Buffer {
  const bytes = Buffer.from(block);
  if (bytes[0] !== 0 || bytes[1] !== 2) throw new Error('not a PKCS#1 v1.5 encryption block');
  return bytes.subarray(bytes.indexOf(0, 2) + 1);
}

describe('unblocking', () => {
  it('offline: the holder reads a challenge, the desk answers from the vault key, the card takes a new PIN; both sides recorded', async () => {
    const { card, serial } = await issued(1);
    await blockPin(card);
    rig.card = card;
    const holderSide = new OfflineUnblockService({ holds: rig.holds, audit: rig.audit, owners: directoryCardOwners(rig.vault.directory) });
    const challenge = await holderSide.begin(READER, holderOp);
    if (!challenge.ok) throw new Error(challenge.reason);

    const answer = await rig.lifecycle.unblockResponse(serial, challenge.challengeCode, operator);
    if (!answer.ok) throw new Error(answer.reason);
    expect(await holderSide.complete(challenge.attempt, answer.response, Buffer.from('97531864'))).toEqual({ ok: true });
    expect(await (await inspect(card)).verifyPin(Buffer.from('97531864'))).toEqual({ ok: true });

    const ids = rig.audit.events.filter((e) => ['card.unblockChallenge', 'card.unblockResponse', 'card.unblockOffline'].includes(e.action)).slice(-3);
    expect(ids.map((e) => [e.action, e.outcome, e.actor.kind])).toEqual([
      ['card.unblockChallenge', 'success', 'holder'],
      ['card.unblockResponse', 'success', 'operator'],
      ['card.unblockOffline', 'success', 'holder'],
    ]);
    // The holder's side is in the card holder's history too.
    const owner = rig.vault.directory.card(serial).holderId;
    expect(owner).not.toBeNull();
    expect(ids.filter((e) => e.actor.kind === 'holder').map((e) => e.holderId)).toEqual([owner, owner]);
    // The three events name the same challenge.
    expect(new Set(ids.map((e) => e.details?.['challengeId'])).size).toBe(1);
  });

  it('the desk refuses a challenge with a typo, of another card, or for a card it did not issue', async () => {
    const first = await issued(2);
    const second = await issued(3);
    await blockPin(first.card);
    rig.card = first.card;
    const holderSide = new OfflineUnblockService({ holds: rig.holds, audit: rig.audit, owners: directoryCardOwners(rig.vault.directory) });
    const challenge = await holderSide.begin(READER, holderOp);
    if (!challenge.ok) throw new Error(challenge.reason);
    const code = challenge.challengeCode;
    const typo = `${code.slice(0, 5)}${code[5] === 'A' ? 'B' : 'A'}${code.slice(6)}`;
    expect(await rig.lifecycle.unblockResponse(first.serial, typo, operator)).toEqual({ ok: false, reason: 'check' });
    expect(await rig.lifecycle.unblockResponse(second.serial, code, operator)).toEqual({ ok: false, reason: 'check' });
    expect(await rig.lifecycle.unblockResponse('99999999', code, operator)).toEqual({ ok: false, reason: 'unknownCard' });
    await holderSide.cancel(challenge.attempt);
  });

  it('operator PIN reset of a card with a sealed PUK: RESET RETRY COUNTER with that PUK, no management key; a blocked PUK means reissue', async () => {
    const { card, serial, result } = await issued(14);
    const puk = secretsIn(letterText(rig, result.letters[0]!.fileName)).puk!;
    expect(rig.deps.personalisations.hasPuk(serial)).toBe(true);
    await blockPin(card);
    rig.card = card;
    const before = rig.audit.events.length;
    const reset = await rig.lifecycle.resetPin(READER, operator);
    if (!reset.ok) throw new Error(reset.reason);
    const events = rig.audit.events.slice(before);
    expect(events.find((e) => e.action === 'card.pinReset')?.details).toEqual({ method: 'resetRetryCounter' });
    expect(events.some((e) => e.action === 'card.managementKeyAuthenticate')).toBe(false);
    expect(JSON.stringify(events)).not.toContain(puk);
    const { pin } = secretsIn(letterText(rig, reset.letters[0]!.fileName));
    const client = await inspect(card);
    expect(await client.verifyPin(Buffer.from(pin))).toEqual({ ok: true });
    // The PUK still works (RESET RETRY COUNTER used it without spending a try).
    expect(await client.changePuk(Buffer.from(puk), Buffer.from(puk))).toEqual({ ok: true });
    // Block the PUK as well: the reset stops and says the card can only be reissued.
    for (let i = 0; i < 3; i += 1) await client.unblockPin(Buffer.from('00000000'), Buffer.from('123456'));
    rig.card = card;
    expect(await rig.lifecycle.resetPin(READER, operator)).toMatchObject({ ok: false, reason: 'pukBlocked' });
  });

  it('operator PIN reset of a card issued before the PUK was sealed: new random PIN through the management key, a PIN letter without the PUK, the PUK unchanged', async () => {
    const { card, serial, result } = await issued(4);
    const puk = secretsIn(letterText(rig, result.letters[0]!.fileName)).puk!;
    // As a card issued before issue 15: the vault has no PUK for it.
    await rig.deps.personalisations.update(serial, () => ({ puk: null }));
    await blockPin(card);
    rig.card = card;
    const reset = await rig.lifecycle.resetPin(READER, operator);
    if (!reset.ok) throw new Error(reset.reason);
    expect(rig.audit.events.filter((e) => e.action === 'card.pinReset').at(-1)?.details).toEqual({ method: 'managementKey' });
    expect(reset.letters.map((l) => l.kind)).toEqual(['pin']);
    const text = letterText(rig, reset.letters[0]!.fileName);
    expect(text).toContain(serial);
    const { pin, puk: none } = secretsIn(text);
    expect(none).toBeNull();
    const client = await inspect(card);
    expect(await client.verifyPin(Buffer.from(pin))).toEqual({ ok: true });
    expect(await client.changePuk(Buffer.from(puk), Buffer.from(puk))).toEqual({ ok: true });
  });
});

describe('suspend, resume, revoke', () => {
  it('suspends all certificates (hold) and the card, then resumes them', async () => {
    const { serial } = await issued(5);
    expect(await rig.lifecycle.suspend(serial, 30, 'release', operator)).toMatchObject({ ok: true });
    expect(rig.vault.directory.card(serial).state).toBe('suspended');
    expect(rig.vault.certificates.forCard(serial).map((c) => [c.status, c.reason])).toEqual(Array(4).fill(['suspended', 'certificateHold']));
    expect(await rig.lifecycle.suspend(serial, 5, 'release', operator)).toMatchObject({ ok: false, reason: 'invalidState' });
    expect(await rig.lifecycle.resume(serial, operator)).toMatchObject({ ok: true });
    expect(rig.vault.directory.card(serial).state).toBe('active');
    expect(rig.vault.certificates.forCard(serial).every((c) => c.status === 'valid')).toBe(true);
  });

  it('revokes a card with its certificates; a card follows when its hold ends by itself', async () => {
    const revoked = await issued(6);
    expect(await rig.lifecycle.revoke(revoked.serial, 'affiliationChanged', operator)).toMatchObject({ ok: true });
    expect(rig.vault.certificates.forCard(revoked.serial).map((c) => c.reason)).toEqual(Array(4).fill('affiliationChanged'));
    expect(rig.vault.directory.card(revoked.serial).state).toBe('revoked');

    const held = await issued(7);
    await rig.lifecycle.suspend(held.serial, 1, 'revoke', operator);
    expect(await rig.lifecycle.followHolds(operator)).toBe(0);
    for (const certificate of rig.vault.certificates.forCard(held.serial)) await rig.vault.certificates.revoke(certificate.serial, 'cessationOfOperation', operator);
    expect(await rig.lifecycle.followHolds(operator)).toBe(1);
    expect(rig.vault.directory.card(held.serial).state).toBe('revoked');
  });
});

describe('lost or stolen', () => {
  it('revokes the lost card, and its replacement decrypts what was encrypted to the lost card (escrow recovery)', async () => {
    const lost = await issued(8);
    const oldCertificate = new X509Certificate(Buffer.from(rig.vault.certificates.record(lost.result.certificates[2]!.serial).der, 'base64'));
    const secret = Buffer.from('the quarterly report, encrypted to the holder');
    const ciphertext = publicEncrypt({ key: oldCertificate.publicKey, padding: constants.RSA_PKCS1_PADDING }, secret);

    expect(await rig.lifecycle.reportLost(lost.serial, true, operator)).toMatchObject({ ok: true });
    expect(rig.vault.directory.card(lost.serial).state).toBe('lost');
    expect(rig.vault.certificates.forCard(lost.serial).map((c) => c.reason)).toEqual(Array(4).fill('keyCompromise'));

    const replacement = await blankCard();
    rig.card = replacement;
    rig.progress.length = 0;
    const result = await rig.issuer.replace({ reader: READER, lostSerial: lost.serial }, operator);
    if (!result.ok) throw new Error(`replacement stopped at ${result.step}: ${result.reason}`);
    expect(rig.progress.filter((p) => p.state === 'done').map((p) => p.step)).toContain('recoverKeys');
    expect(result.holderId).toBe(lost.holder.id);

    const client = await inspect(replacement);
    const { pin } = secretsIn(letterText(rig, result.letters[0]!.fileName));
    expect(await client.verifyPin(Buffer.from(pin))).toEqual({ ok: true });
    // The lost card's encryption key sits in the first retired slot, with its certificate.
    expect(Buffer.from((await client.readCertificate('82'))!).equals(oldCertificate.raw)).toBe(true);
    expect(unpad(await client.decrypt('82', 'rsa2048', ciphertext))).toEqual(secret);
    expect(await client.readObject(OBJECT.KEY_HISTORY)).toEqual(Uint8Array.from([0xc1, 0x01, 0x01, 0xc2, 0x01, 0x00, 0xfe, 0x00]));
    expect(rig.audit.events.some((e) => e.action === 'escrow.keyRecover' && e.cardSerial === lost.serial)).toBe(true);
  });
});

describe('renew', () => {
  it('makes new keys and certificates on the same card, revokes the old ones, keeps the old encryption key in key history', async () => {
    const { card, serial, result } = await issued(9);
    const before = result.certificates.map((c) => c.serial);
    rig.card = card;
    const renewed = await rig.lifecycle.renew(READER, operator);
    expect(renewed).toMatchObject({ ok: true, serial });
    const after = rig.deps.personalisations.get(serial)!.certificates;
    expect(Object.values(after)).not.toEqual(expect.arrayContaining([before[0]]));
    for (const old of before) expect(rig.vault.certificates.summary(rig.vault.certificates.record(old))).toMatchObject({ status: 'revoked', reason: 'superseded' });
    const client = await inspect(card);
    expect(new X509Certificate(Buffer.from((await client.readCertificate('9A'))!)).serialNumber.replace(/^0+/, '')).toBe(after['9A']!.replace(/^0+/, ''));
    expect(Buffer.from((await client.readCertificate('82'))!).equals(Buffer.from(rig.vault.certificates.record(before[2]!).der, 'base64'))).toBe(true);
  });

  it('pulled before any APDU, the card stays active with its old certificates valid, and renewing again finishes', async () => {
    await rig.lifecycle.updatePolicy({ keys: { authentication: 'eccp256', signature: 'eccp256', encryption: 'eccp256' } }, operator);
    try {
      const probe = await issued(10);
      rig.card = probe.card;
      expect(await rig.lifecycle.renew(READER, operator)).toMatchObject({ ok: true });
      const total = rig.lastConnection!.transmitted;
      for (let at = 0; at < total; at += 1) {
        const { card, serial } = await issued(100 + at);
        const before = Object.values(rig.deps.personalisations.get(serial)!.certificates);
        rig.card = card;
        rig.pullAt = { at, when: 'before' };
        const stopped = await rig.lifecycle.renew(READER, operator);
        expect(stopped, `pulled before APDU ${at} of ${total}`).toMatchObject({ ok: false, reason: 'cardRemoved' });
        expect(rig.vault.directory.card(serial).state).toBe('active');
        for (const old of before) expect(rig.vault.certificates.summary(rig.vault.certificates.record(old)).status).toBe('valid');
        expect(await rig.lifecycle.renew(READER, operator), `renewed again after a pull before APDU ${at}`).toMatchObject({ ok: true });
        expect(rig.deps.personalisations.get(serial)?.renewal).toBeNull();
        for (const old of before) expect(rig.vault.certificates.summary(rig.vault.certificates.record(old)).status).toBe('revoked');
        const now = rig.deps.personalisations.get(serial)!.certificates;
        const client = await inspect(card);
        for (const slot of ['9A', '9C', '9D'] as const) {
          const onCard = new X509Certificate(Buffer.from((await client.readCertificate(slot))!));
          expect(onCard.serialNumber.replace(/^0+/, '')).toBe(now[slot]!.replace(/^0+/, ''));
        }
      }
    } finally {
      await rig.lifecycle.updatePolicy({ keys: { authentication: 'rsa2048', signature: 'rsa2048', encryption: 'rsa2048' } }, operator);
    }
  }, 120_000);
});

describe('retire', () => {
  it('revokes the certificates, wipes the card to its factory state, and lets it be issued again', async () => {
    const { card, serial } = await issued(11);
    rig.card = card;
    expect(await rig.lifecycle.retire(READER, operator)).toMatchObject({ ok: true, serial });
    expect(rig.vault.directory.card(serial).state).toBe('retired');
    expect(rig.vault.certificates.forCard(serial).every((c) => c.status === 'revoked' && c.reason === 'cessationOfOperation')).toBe(true);
    const client = await inspect(card);
    expect(await client.managementKeyMetadata()).toEqual({ algorithm: 'tdes', isDefault: true });
    expect(await client.keyMetadata('9A')).toBeNull();
    const again = await rig.issuer.issue({ reader: READER, holderId: (await rig.newHolder(12)).id }, operator);
    expect(again).toMatchObject({ ok: true, serial });
  });
});

describe('expiry watch', () => {
  it('lists valid certificates expiring within the window, soonest first, with their warning level', async () => {
    const { serial } = await issued(13);
    expect(rig.lifecycle.expiring(60).filter((c) => c.cardSerial === serial)).toEqual([]);
    // Ten days before the three-year certificates run out.
    rig.travel(3 * 365 - 10);
    try {
      const soon = rig.lifecycle.expiring(60).filter((c) => c.cardSerial === serial);
      expect(soon).toHaveLength(4);
      expect(soon.map((c) => [c.status, c.window, c.daysLeft])).toEqual(Array(4).fill(['valid', 14, 10]));
      expect(rig.lifecycle.expiring(7).filter((c) => c.cardSerial === serial)).toEqual([]);
    } finally {
      rig.travel(0);
    }
  });
});
