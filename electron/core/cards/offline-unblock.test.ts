/**
 * The holder's side of the offline unblock against the virtual card in process; the desk's side is
 * played by `responseCode` with the card's management key.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeEach, describe, expect, it } from 'vitest';
import { connectTo, freshCard, type TestConnection } from '../../../test/support/memory-card';
import { FACTORY } from '../../smartcard/piv';
import type { VirtualPivCard } from '../../vcard/piv-card';
import { MemoryAuditTrail } from '../audit/audit-trail';
import type { OperationContext } from '../operation-context';
import { ApduTransport } from '../piv/apdu-transport';
import { PivClient } from '../piv/piv-client';
import type { CardLookup, CardOwners } from './card-owners';
import { OfflineUnblockService } from './offline-unblock';
import { ReaderHolds } from './reader-holds';
import { parseChallengeCode, responseCode } from './unblock-codes';

const holder: OperationContext = { actor: { kind: 'holder', id: 'h-1' }, channel: 'kiosk' };
const READER = 'Test Reader';

interface Rig {
  /** What the directory says about the card (an issued, active card of holder h-1 unless a test changes it). */
  lookup: CardLookup;
  card: VirtualPivCard;
  key: Buffer;
  holds: ReaderHolds;
  service: OfflineUnblockService;
  audit: MemoryAuditTrail;
  last: TestConnection | null;
}

async function client(card: VirtualPivCard): Promise<PivClient> {
  const piv = new PivClient(new ApduTransport(connectTo(card)));
  await piv.select();
  return piv;
}

/** A card personalised with an AES-256 management key and a blocked PIN. */
async function rig(lifetimeMs?: number): Promise<Rig> {
  const { card } = await freshCard();
  const key = randomBytes(32);
  const admin = await client(card);
  await admin.authenticateManagementKey('tdes', Uint8Array.from(FACTORY.MANAGEMENT_KEY));
  await admin.setManagementKey('aes256', key);
  for (let i = 0; i < 3; i += 1) await admin.verifyPin(Buffer.from('999999'));
  const audit = new MemoryAuditTrail();
  const state: Rig = { card, key, audit, last: null, lookup: { known: true, owner: { holderId: 'h-1', state: 'active' } } } as Rig;
  const owners: CardOwners = { lookup: () => state.lookup };
  state.holds = new ReaderHolds({
    connect: () => {
      state.last = connectTo(card, READER);
      return Promise.resolve(state.last);
    },
  });
  state.service = new OfflineUnblockService({ holds: state.holds, audit, owners, ...(lifetimeMs === undefined ? {} : { lifetimeMs }) });
  return state;
}

/** What the desk does with the code the holder reads out. */
function deskAnswer(r: Rig, serial: string, code: string): string {
  const parsed = parseChallengeCode(serial, code);
  if (!parsed.ok) throw new Error(`the desk could not read ${code}`);
  return responseCode(r.key, parsed.value);
}

describe('offline unblock, holder side', () => {
  let r: Rig;

  beforeEach(async () => {
    r = await rig();
  });

  it('unblocks with the response to its challenge and the new PIN works', async () => {
    const begun = await r.service.begin(READER, holder);
    if (!begun.ok) throw new Error(begun.reason);
    expect(begun.serial).toBe('12345678');
    expect(Date.parse(begun.expiresAt) - Date.now()).toBeGreaterThan(9 * 60 * 1000);
    const answer = deskAnswer(r, begun.serial, begun.challengeCode);
    expect(await r.service.complete(begun.attempt, answer, Buffer.from('24682468'))).toEqual({ ok: true });
    expect(await (await client(r.card)).verifyPin(Buffer.from('24682468'))).toEqual({ ok: true });
    const events = r.audit.events.map((event) => [event.action, event.outcome, event.details?.['challengeId']]);
    expect(events).toEqual([
      ['card.unblockChallenge', 'success', expect.stringMatching(/^[0-9a-f]{12}$/)],
      ['card.unblockOffline', 'success', events[0]?.[2]],
    ]);
    // Both are in the card holder's history.
    expect(r.audit.events.map((event) => event.holderId)).toEqual(['h-1', 'h-1']);
    expect(JSON.stringify(r.audit.events)).not.toContain('24682468');
  });

  it('lets the holder retype a mistyped response without losing the challenge', async () => {
    const begun = await r.service.begin(READER, holder);
    if (!begun.ok) throw new Error(begun.reason);
    const answer = deskAnswer(r, begun.serial, begun.challengeCode);
    const mistyped = answer.startsWith('A') ? `B${answer.slice(1)}` : `A${answer.slice(1)}`;
    expect(await r.service.complete(begun.attempt, mistyped, Buffer.from('24682468'))).toEqual({ ok: false, reason: 'responseMistyped' });
    expect(await r.service.complete(begun.attempt, answer, Buffer.from('24682468'))).toEqual({ ok: true });
  });

  it('accepts a response once', async () => {
    const begun = await r.service.begin(READER, holder);
    if (!begun.ok) throw new Error(begun.reason);
    const answer = deskAnswer(r, begun.serial, begun.challengeCode);
    expect(await r.service.complete(begun.attempt, answer, Buffer.from('24682468'))).toEqual({ ok: true });
    expect(await r.service.complete(begun.attempt, answer, Buffer.from('13571357'))).toEqual({ ok: false, reason: 'noChallenge' });
    const holderCard = await client(r.card);
    expect(await holderCard.verifyPin(Buffer.from('24682468'))).toEqual({ ok: true });
    for (let i = 0; i < 3; i += 1) await holderCard.verifyPin(Buffer.from('999999'));
    // Blocked again: the old response does not answer the new challenge.
    const again = await r.service.begin(READER, holder);
    if (!again.ok) throw new Error(again.reason);
    expect(await r.service.complete(again.attempt, answer, Buffer.from('13571357'))).toEqual({ ok: false, reason: 'responseMistyped' });
    await r.service.cancel(again.attempt);
    expect(await (await client(r.card)).pinStatus()).toMatchObject({ triesLeft: 0 });
  });

  it('ends the attempt when the card refuses a well-formed response made with another key', async () => {
    const begun = await r.service.begin(READER, holder);
    if (!begun.ok) throw new Error(begun.reason);
    const parsed = parseChallengeCode(begun.serial, begun.challengeCode);
    if (!parsed.ok) throw new Error('unreadable');
    const forged = responseCode(randomBytes(32), parsed.value);
    expect(await r.service.complete(begun.attempt, forged, Buffer.from('24682468'))).toEqual({ ok: false, reason: 'responseWrong' });
    expect(await r.service.complete(begun.attempt, deskAnswer(r, begun.serial, begun.challengeCode), Buffer.from('24682468'))).toEqual({
      ok: false,
      reason: 'noChallenge',
    });
    expect(await (await client(r.card)).pinStatus()).toMatchObject({ triesLeft: 0 });
    expect(r.audit.events.at(-1)).toMatchObject({ action: 'card.unblockOffline', outcome: 'failure', reason: 'responseWrong' });
  });

  it('keeps the card from every other operation while it waits, and lets it go when cancelled', async () => {
    const begun = await r.service.begin(READER, holder);
    if (!begun.ok) throw new Error(begun.reason);
    // Every other caller (another window included) is told the card waits for an unblock response.
    await expect(r.holds.connect(READER)).rejects.toMatchObject({ code: 'CARD_AWAITING_UNBLOCK' });
    expect(await r.service.begin(READER, holder)).toEqual({ ok: false, reason: 'awaitingUnblock' });
    await r.service.cancel(begun.attempt);
    await expect(r.holds.connect(READER)).resolves.toBeDefined();
  });

  it('reports a card pulled before the answer, and frees the reader', async () => {
    const begun = await r.service.begin(READER, holder);
    if (!begun.ok) throw new Error(begun.reason);
    r.last?.pullBefore(0);
    const result = await r.service.complete(begun.attempt, deskAnswer(r, begun.serial, begun.challengeCode), Buffer.from('24682468'));
    expect(result).toEqual({ ok: false, reason: 'cardRemoved' });
    expect(r.holds.isHeld(READER)).toBe(false);
  });
});

describe('offline unblock, expiry', () => {
  it('drops the challenge after its lifetime and releases the card', async () => {
    const r = await rig(150);
    const begun = await r.service.begin(READER, holder);
    if (!begun.ok) throw new Error(begun.reason);
    const answer = deskAnswer(r, begun.serial, begun.challengeCode);
    await sleep(300);
    expect(r.holds.isHeld(READER)).toBe(false);
    expect(await r.service.complete(begun.attempt, answer, Buffer.from('24682468'))).toEqual({ ok: false, reason: 'noChallenge' });
    expect(r.audit.events.at(-1)).toMatchObject({ action: 'card.unblockOffline', outcome: 'failure', reason: 'expired' });
  });
});

describe('offline unblock, only for an issued card with a blocked PIN or PUK', () => {
  it.each(['blank', 'personalisationIncomplete', 'revoked', 'retired', 'lost'] as const)('refuses a card the directory has as %s, and leaves it untouched', async (state) => {
    const r = await rig();
    r.lookup = { known: true, owner: { holderId: 'h-1', state } };
    expect(await r.service.begin(READER, holder)).toEqual({ ok: false, reason: 'notIssued' });
    expect(r.holds.isHeld(READER)).toBe(false);
    // The refusal is recorded, in the holder's history.
    expect(r.audit.events.map((e) => [e.action, e.outcome, e.reason, e.holderId])).toEqual([['card.unblockChallenge', 'failure', 'notIssued', 'h-1']]);
  });

  it('refuses a card the directory does not know', async () => {
    const r = await rig();
    r.lookup = { known: false, why: 'unknown' };
    expect(await r.service.begin(READER, holder)).toEqual({ ok: false, reason: 'notIssued' });
  });

  it('without a directory (a holder machine), refuses a card still on its factory management key', async () => {
    const { card } = await freshCard();
    const holds = new ReaderHolds({ connect: () => Promise.resolve(connectTo(card, READER)) });
    const service = new OfflineUnblockService({ holds, audit: new MemoryAuditTrail(), owners: { lookup: () => ({ known: false, why: 'unavailable' }) } });
    expect(await service.begin(READER, holder)).toEqual({ ok: false, reason: 'notIssued' });
  });

  it('refuses an issued card whose PIN and PUK both still work', async () => {
    const r = await rig();
    const admin = await client(r.card);
    await admin.authenticateManagementKey('aes256', r.key);
    await admin.resetPinWithManagementKey(Buffer.from('123456'));
    expect(await r.service.begin(READER, holder)).toEqual({ ok: false, reason: 'notBlocked' });
  });
});
