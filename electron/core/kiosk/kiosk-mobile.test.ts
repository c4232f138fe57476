/**
 * The holder's mobile IDs at the kiosk over the real MobileIdService and CA (a vault in a temporary
 * folder), with small fakes for the kiosk session, the card's PIN check and the second factor:
 * everything acts for the session's holder only (another holder's mobile ID is refused and
 * recorded, nothing changes), lock and revoke follow the states, revoke needs the PIN, the second
 * factor is asked when enrolled, and a listener without HTTPS gives its own refusal.
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CardDeskError } from '../../shared/errors';
import type { Holder } from '../../shared/schemas/holders';
import { holderInput, operator, PASSPHRASE, tempHome } from '../../../test/support/vault-fixtures';
import { MemoryAuditTrail } from '../audit/audit-trail';
import { createRequest } from '../ca/certification-request';
import { silentLogger } from '../log/logger';
import { parseEnrollmentUri } from '../mobile/enrollment-uri';
import { MobileIdService } from '../mobile/mobile-id-service';
import { createVaultServices, type VaultServices } from '../vault/vault-services';
import { KioskMobile } from './kiosk-mobile';
import type { KioskSession } from './kiosk-sessions';

const EST = 'https://desk.example:8443/.well-known/est';
const PIN = '24681357';
const audit = new MemoryAuditTrail();
let services: VaultServices;
let mobile: MobileIdService;
let ada: Holder;
let bob: Holder;
let listenerOn = true;

beforeAll(async () => {
  services = createVaultServices({ dataDir: tempHome(), audit, log: silentLogger });
  await services.vault.init(Buffer.from(PASSPHRASE), operator);
  await services.ca.init(
    { algorithm: 'p384', rootSubject: 'CN=Kiosk Mobile Root', issuingSubject: 'CN=Kiosk Mobile Issuing', rootValidityYears: 20, issuingValidityYears: 10, publicBaseUrl: 'http://pki.desk.example/' },
    operator,
  );
  const a = await services.directory.create(holderInput(1, { firstName: 'Ada', lastName: 'Lovelace' }), operator);
  const b = await services.directory.create(holderInput(2, { firstName: 'Bob', lastName: 'Other' }), operator);
  if (!a.ok || !b.ok) throw new Error('holders not saved');
  ada = a.holder;
  bob = b.holder;
  mobile = new MobileIdService({
    access: services.access,
    audit,
    directory: services.directory,
    ca: services.ca,
    certificates: services.certificates,
    estUrl: () => {
      if (!listenerOn) throw new CardDeskError('INVALID_STATE', 'no TLS port');
      return EST;
    },
  });
});

afterAll(() => services.close());

beforeEach(() => {
  listenerOn = true;
});

function rig(options: { factor?: string; cardGone?: boolean; stage?: 'begun' | 'signedIn' } = {}) {
  const session: KioskSession = { source: 'win-1', reader: 'R1', serial: 'C0FFEE01', holderId: ada.id, stage: options.stage ?? 'signedIn', proof: 'cardAuthentication', lastTouch: 0 };
  const pins: string[] = [];
  const kiosk = new KioskMobile({
    kiosk: {
      liveSession: (source) => (source === session.source ? Promise.resolve(session) : Promise.reject(new CardDeskError('SESSION_ENDED', 'no session'))),
      cardStillThere: () => Promise.resolve(options.cardGone === true ? 'cardRemoved' : null),
      keysAvailable: () => true,
    },
    mobile,
    certificates: services.certificates,
    directory: services.directory,
    secondFactor: {
      enrolled: () => options.factor !== undefined,
      verify: (_holder: string, code: string) => Promise.resolve(code === options.factor),
    },
    cards: {
      verifyPin: (_reader, pin) => {
        pins.push(pin.toString('utf8'));
        return Promise.resolve(pin.toString('utf8') === PIN ? { ok: true } : { ok: false, reason: 'wrongPin', triesLeft: 2 });
      },
    },
    audit,
    caReady: () => services.ca.ready,
  });
  return { kiosk, pins };
}

/** A mobile ID of `holder` enrolled by a phone (as the EST site does), active. */
async function activeFor(holder: Holder): Promise<string> {
  const issued = await mobile.issue(holder.id, { labels: ['auth'] }, operator);
  const { code } = parseEnrollmentUri(issued.enrollmentUri);
  const done = await mobile.enroll('auth', issued.mobileId.id, code, createRequest('CN=phone', generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey), '192.0.2.9');
  if (!done.ok) throw new Error(done.message);
  return issued.mobileId.id;
}

const since = (mark: number) => audit.events.slice(mark);

describe('mobile IDs at the kiosk', () => {
  it('gets a mobile ID for the session holder with the chosen certificates, a QR code and its expiry, and lists it with its certificates', async () => {
    const { kiosk } = rig();
    const issued = await kiosk.issue('win-1', ['auth', 'sign']);
    if (!issued.ok) throw new Error(issued.reason);
    expect(issued.qr).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(Date.parse(issued.codeExpiresAt)).toBeGreaterThan(Date.now());
    expect(issued.mobileId).toMatchObject({ state: 'pending', labels: ['auth', 'sign'], certificates: [], supersedes: null, replacedBy: null });
    expect(mobile.show(issued.mobileId.id)).toMatchObject({ holderId: ada.id, options: { delivery: 'screen' } });
    const event = audit.events.at(-1);
    expect(event).toMatchObject({ action: 'mobile.issue', outcome: 'success', actor: { kind: 'holder', id: ada.id }, channel: 'kiosk' });

    const id = await activeFor(ada);
    const listed = await kiosk.list('win-1');
    const shown = listed.find((m) => m.id === id);
    expect(shown).toMatchObject({ state: 'active', labels: ['auth'] });
    expect(shown?.certificates).toHaveLength(1);
    expect(shown?.certificates[0]).toMatchObject({ label: 'auth', status: 'valid', serial: mobile.show(id).certificates.auth });
    expect(listed.every((m) => mobile.show(m.id).holderId === ada.id)).toBe(true);
  });

  it('refuses another holder’s mobile ID for every action, records the attempt, and changes nothing', async () => {
    const { kiosk, pins } = rig();
    const bobs = await activeFor(bob);
    const mark = audit.events.length;
    expect(await kiosk.lock('win-1', bobs, 3)).toMatchObject({ ok: false, reason: 'mobileNotFound' });
    expect(await kiosk.revoke('win-1', bobs, 'keyCompromise', PIN)).toMatchObject({ ok: false, reason: 'mobileNotFound' });
    expect(await kiosk.cancel('win-1', bobs)).toMatchObject({ ok: false, reason: 'mobileNotFound' });
    expect(await kiosk.migrate('win-1', bobs)).toMatchObject({ ok: false, reason: 'mobileNotFound' });
    expect(await kiosk.lock('win-1', 'no-such-id', 3)).toMatchObject({ ok: false, reason: 'mobileNotFound' });
    expect(mobile.show(bobs).state).toBe('active');
    expect(pins).toEqual([]);
    const refused = since(mark);
    expect(refused.map((e) => e.action)).toEqual(['mobile.lock', 'mobile.revoke', 'mobile.cancel', 'mobile.migrate', 'mobile.lock']);
    for (const event of refused) expect(event).toMatchObject({ outcome: 'failure', reason: 'mobileNotFound', holderId: ada.id, actor: { kind: 'holder', id: ada.id }, channel: 'kiosk' });
    expect(refused[0]?.details).toMatchObject({ mobileId: bobs, why: 'notThisHolder' });
    expect(refused[4]?.details).toMatchObject({ why: 'unknown' });
    expect((await kiosk.list('win-1')).map((m) => m.id)).not.toContain(bobs);
  });

  it('locks an active one (its certificates on hold), refuses to lock it again, revokes it only with the right PIN, then refuses any more', async () => {
    const { kiosk, pins } = rig();
    const id = await activeFor(ada);
    const serial = mobile.show(id).certificates.auth!;
    const locked = await kiosk.lock('win-1', id, 3);
    if (!locked.ok) throw new Error(locked.reason);
    expect(locked.mobileIds.find((m) => m.id === id)).toMatchObject({ state: 'locked', certificates: [{ status: 'suspended' }] });
    expect(services.certificates.record(serial).status).toBe('suspended');
    expect(await kiosk.lock('win-1', id, 3)).toMatchObject({ ok: false, reason: 'mobileWrongState' });

    expect(await kiosk.revoke('win-1', id, 'keyCompromise', '11112222')).toMatchObject({ ok: false, reason: 'wrongPin', triesLeft: 2 });
    expect(mobile.show(id).state).toBe('locked');
    const revoked = await kiosk.revoke('win-1', id, 'keyCompromise', PIN);
    if (!revoked.ok) throw new Error(revoked.reason);
    expect(revoked.mobileIds.find((m) => m.id === id)).toMatchObject({ state: 'revoked', certificates: [{ status: 'revoked' }] });
    expect(services.certificates.record(serial)).toMatchObject({ status: 'revoked', reason: 'keyCompromise' });
    expect(pins).toEqual(['11112222', PIN]);
    expect(await kiosk.revoke('win-1', id, 'keyCompromise', PIN)).toMatchObject({ ok: false, reason: 'mobileWrongState' });
    expect(await kiosk.lock('win-1', id, 3)).toMatchObject({ ok: false, reason: 'mobileWrongState' });
    expect(pins).toHaveLength(2);
    expect(JSON.stringify(audit.events)).not.toContain(PIN);
  });

  it('cancels a pending one (nothing left), but not an active one', async () => {
    const { kiosk } = rig();
    const issued = await kiosk.issue('win-1', undefined);
    if (!issued.ok) throw new Error(issued.reason);
    const done = await kiosk.cancel('win-1', issued.mobileId.id);
    expect(done.ok).toBe(true);
    expect(mobile.record(issued.mobileId.id)).toBeUndefined();
    const active = await activeFor(ada);
    expect(await kiosk.cancel('win-1', active)).toMatchObject({ ok: false, reason: 'mobileWrongState' });
    expect(mobile.show(active).state).toBe('active');
  });

  it('says so when the listener has no HTTPS port, and leaves nothing behind', async () => {
    const { kiosk } = rig();
    listenerOn = false;
    const before = mobile.list(ada.id).length;
    const mark = audit.events.length;
    expect(await kiosk.issue('win-1', ['auth'])).toMatchObject({ ok: false, reason: 'mobileListenerOff' });
    expect(mobile.list(ada.id)).toHaveLength(before);
    expect(since(mark)).toMatchObject([{ action: 'mobile.issue', outcome: 'failure', reason: 'mobileListenerOff' }]);
  });

  it('asks the second factor’s code when the holder has one, and the card in the reader for a new mobile ID', async () => {
    const withFactor = rig({ factor: '123456' });
    const id = await activeFor(ada);
    expect(await withFactor.kiosk.lock('win-1', id, 3)).toMatchObject({ ok: false, reason: 'secondFactorWrong' });
    expect(await withFactor.kiosk.lock('win-1', id, 3, '654321')).toMatchObject({ ok: false, reason: 'secondFactorWrong' });
    expect(await withFactor.kiosk.issue('win-1', ['auth'])).toMatchObject({ ok: false, reason: 'secondFactorWrong' });
    expect(await withFactor.kiosk.revoke('win-1', id, 'unspecified', PIN)).toMatchObject({ ok: false, reason: 'secondFactorWrong' });
    expect(withFactor.pins).toEqual([]);
    expect(mobile.show(id).state).toBe('active');
    expect(await withFactor.kiosk.lock('win-1', id, 3, '123456')).toMatchObject({ ok: true });

    const cardGone = rig({ cardGone: true });
    const before = mobile.list(ada.id).length;
    expect(await cardGone.kiosk.issue('win-1', ['auth'])).toMatchObject({ ok: false, reason: 'cardRemoved' });
    expect(mobile.list(ada.id)).toHaveLength(before);
  });

  it('needs a signed-in session: a begun one (no PIN yet) or another window gets SESSION_ENDED', async () => {
    const begun = rig({ stage: 'begun' });
    await expect(begun.kiosk.list('win-1')).rejects.toMatchObject({ code: 'SESSION_ENDED' });
    await expect(begun.kiosk.issue('win-1', ['auth'])).rejects.toMatchObject({ code: 'SESSION_ENDED' });
    const { kiosk } = rig();
    await expect(kiosk.list('win-2')).rejects.toMatchObject({ code: 'SESSION_ENDED' });
  });

  it('moves a locked one to a new phone (the old one stays as it is, replaced by the pending new one), refuses another holder’s, and a revoked one cannot move', async () => {
    const { kiosk } = rig();
    const id = await activeFor(ada);
    expect((await kiosk.lock('win-1', id, 3)).ok).toBe(true);
    const mark = audit.events.length;
    const moved = await kiosk.migrate('win-1', id);
    if (!moved.ok) throw new Error(moved.reason);
    expect(moved.qr).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(moved.mobileId).toMatchObject({ state: 'pending', supersedes: id, labels: ['auth'] });
    expect(mobile.show(moved.mobileId.id).options.delivery).toBe('screen');
    expect(since(mark)).toMatchObject([{ action: 'mobile.migrate', outcome: 'success', actor: { kind: 'holder', id: ada.id }, channel: 'kiosk' }]);
    expect((await kiosk.list('win-1')).find((m) => m.id === id)).toMatchObject({ state: 'locked', replacedBy: moved.mobileId.id });

    const svg = Buffer.from(moved.qr.split(',')[1] ?? '', 'base64').toString('utf8');
    expect(svg).toContain('<svg');
    const issuedAgain = mobile.record(moved.mobileId.id);
    expect(issuedAgain?.codeHash).not.toBeNull();
    const other = await kiosk.migrate('win-1', await activeFor(bob));
    expect(other).toMatchObject({ ok: false, reason: 'mobileNotFound' });

    const done = await kiosk.revoke('win-1', id, 'unspecified', PIN);
    expect(done.ok).toBe(true);
    expect(await kiosk.migrate('win-1', id)).toMatchObject({ ok: false, reason: 'mobileWrongState' });
  });
});
