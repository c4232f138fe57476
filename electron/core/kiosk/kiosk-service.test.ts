/**
 * The kiosk services against virtual PIV cards in process and a real vault and CA (the life-cycle
 * rig): sign-in with the card and the PIN (the 9A proof after the PIN for cards without 9E), the
 * session bound to its window, reader, card and holder, the ways it ends (card out, idle,
 * sign-out), and the holder's own actions taking effect in the CA at once — suspension shown in
 * the CRL (read by openssl), revocation only with the PIN. Calls are made through the contract's
 * dispatch, as a kiosk window would, and no PIN or PUK may reach the audit trail.
 */
import { createPublicKey } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { blankCard, inspect, letterText, lifecycleRig, READER, secretsIn, type LifecycleRig } from '../../../test/support/lifecycle-rig';
import { oathtool } from '../../../test/support/oathtool';
import { openssl, tool } from '../../../test/support/openssl';
import { operator, PASSPHRASE } from '../../../test/support/vault-fixtures';
import type { ChannelArgs, ChannelName } from '../../shared/contract';
import type { Envelope } from '../../shared/errors';
import type { AuditEntry } from '../../shared/schemas/audit';
import type { KioskHome } from '../../shared/schemas/kiosk';
import type { CallContext } from '../api/context';
import { dispatch } from '../api/dispatch';
import type { ContractHandlers } from '../api/handlers';
import { recordFailedWrites } from '../audit/write-audit';
import { SecondFactorService } from '../account/second-factor';
import { directoryCardOwners } from '../cards/card-owners';
import { CardService } from '../cards/card-service';
import { OfflineUnblockService } from '../cards/offline-unblock';
import type { KeySlot } from '../lifecycle/personalisations';
import { asContractResult } from '../lifecycle/refusals';
import { authenticateWithCandidates } from '../piv/piv-procedures';
import { silentLogger } from '../log/logger';
import { kioskHandlers } from './kiosk-handlers';
import { KioskService, type KioskSettings } from './kiosk-service';
import type { KioskEndReason } from './kiosk-sessions';

let rig: LifecycleRig;
let kiosk: KioskService;
let handlers: ContractHandlers;
let shift = 0;
/** The second factor's clock: each code the tests type is in a new 30-second step (a used one is refused). */
let factorMs = Date.now();
let factor: SecondFactorService;
const settings: { -readonly [K in keyof KioskSettings]: KioskSettings[K] } = { idleSeconds: 60, shufflePinPad: false, filesAllowed: true };
const ended: { source: string; reason: KioskEndReason }[] = [];
/** Every PIN and PUK the tests used: none may appear in the audit trail. */
const secrets = new Set<string>();

/** Two kiosk windows; new ones for each test, so the attempts limit of one test does not reach the next. */
let windowA: CallContext;
let windowB: CallContext;
let windows = 0;

beforeAll(async () => {
  rig = await lifecycleRig();
  const owners = directoryCardOwners(rig.vault.directory, silentLogger);
  factor = new SecondFactorService({ access: rig.vault.access, keyring: rig.vault.keyring, audit: rig.audit, directory: rig.vault.directory, now: () => factorMs });
  kiosk = new KioskService({
    // The kiosk's own look at the card (which card is in the reader) never takes a pull set for
    // the card operation that follows it: `rig.pullAt` is kept for that operation's connection.
    connector: {
      connect: async (name) => {
        const pending = rig.pullAt;
        rig.pullAt = null;
        try {
          return await rig.holds.connect(name);
        } finally {
          rig.pullAt = pending;
        }
      },
    },
    cards: new CardService({ connector: rig.holds, audit: rig.audit, owners }),
    offlineUnblock: new OfflineUnblockService({ holds: rig.holds, audit: rig.audit, owners }),
    lifecycle: rig,
    vault: rig.vault,
    audit: rig.audit,
    secondFactor: factor,
    // The trail here is in memory: the summary is the holder's events, as the desk's index gives them.
    history: (args) => {
      const entries = rig.audit.events
        .map((event, i): AuditEntry => ({
          seq: i + 1,
          time: new Date().toISOString(),
          actor: event.actor,
          channel: event.channel,
          action: event.action,
          outcome: event.outcome,
          reason: event.reason ?? null,
          holderId: event.holderId ?? null,
          cardSerial: event.cardSerial ?? null,
          certificateSerial: event.certificateSerial ?? null,
          details: event.details ?? {},
        }))
        .filter((entry) => entry.holderId === args.holderId)
        .reverse();
      const failed = entries.filter((e) => e.outcome === 'failure').length;
      return Promise.resolve({ holderId: args.holderId, total: entries.length, successful: entries.length - failed, failed, lastAccess: entries[0]?.time ?? null, entries: entries.slice(0, args.limit), nextCursor: null });
    },
    settings: () => settings,
    dataFolderInUse: () => false,
    ended: (source, reason) => ended.push({ source, reason }),
    now: () => Date.now() + shift,
  });
  // As app-core wires them: the kiosk's channels, failed writes recorded.
  handlers = recordFailedWrites(kioskHandlers(kiosk) as ContractHandlers, rig.audit, 'desk-operator', silentLogger);
}, 60_000);

afterAll(() => rig?.close());

beforeEach(async () => {
  for (const session of kiosk.sessions.all()) await kiosk.end(session.source, 'signedOut');
  ended.length = 0;
  shift = 0;
  settings.filesAllowed = true;
  windows += 1;
  windowA = { surface: 'kiosk', transport: 'websocket', source: `kiosk-window-a${windows}` };
  windowB = { surface: 'kiosk', transport: 'websocket', source: `kiosk-window-b${windows}` };
});

async function call<C extends ChannelName>(channel: C, args: ChannelArgs<C>, context?: CallContext): Promise<Envelope<unknown>> {
  return dispatch(handlers, channel, args, context ?? windowA, silentLogger);
}

async function value<C extends ChannelName>(channel: C, args: ChannelArgs<C>, context?: CallContext): Promise<Record<string, unknown>> {
  const result = await call(channel, args, context ?? windowA);
  if (!result.ok) throw new Error(`${channel}: ${result.error.code} ${result.error.message}`);
  return result.value as Record<string, unknown>;
}

interface Issued {
  serial: string;
  holderId: string;
  pin: string;
  puk: string | null;
  contractId: string;
}

let holders = 0;

/** A new holder and card, issued in the rig's reader; its PIN and PUK read from the PIN letter. */
async function issued(options: { activation?: 'atIssuance' | 'holderSigns'; firstName?: string } = {}): Promise<Issued> {
  await rig.lifecycle.updatePolicy({ activation: options.activation ?? 'atIssuance' }, operator);
  holders += 1;
  const holder = await rig.newHolder(holders, { firstName: options.firstName ?? `Kiosk${holders}`, lastName: 'Holder', documentExpiry: '2030-01-01' });
  rig.card = await blankCard();
  const result = asContractResult(await rig.issuer.issue({ reader: READER, holderId: holder.id }, operator));
  if (!result.ok) throw new Error(`issuance stopped at ${result.step}: ${result.reason}`);
  const { pin, puk } = secretsIn(letterText(rig, result.letters[0]!.fileName));
  secrets.add(pin);
  if (puk !== null) secrets.add(puk);
  return { serial: result.serial, holderId: holder.id, pin, puk, contractId: result.contractId };
}

/** A new 9E key on the card (PIN policy never), certified by the CA for the card; returns the certificate's serial. */
async function putCardAuthenticationKey(card: Issued): Promise<string> {
  const client = await inspect(rig.card!);
  const source = await authenticateWithCandidates(client, rig.deps.cardKeys.candidates(card.serial, false));
  if (source === null) throw new Error('the card refused the management key the vault holds for it');
  const spki = await client.generateKey('9E', 'eccp256', 'never');
  const pem = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }).export({ format: 'pem', type: 'spki' }).toString();
  const certificate = await rig.vault.certificates.issue({ profile: 'cardAuthentication', request: pem, holderId: card.holderId, cardSerial: card.serial, subject: '' }, operator);
  await rig.deps.personalisations.update(card.serial, (record) => ({ certificates: { ...record.certificates, ['9E' as KeySlot]: certificate.serial } }));
  return certificate.serial;
}

const other = (pin: string): string => (pin === '000000' ? '111111' : '000000');

/** A card as issued before issuance made the 9E key: the desk knows no card authentication certificate for it. */
async function asOlderCard(card: Issued): Promise<void> {
  await rig.deps.personalisations.update(card.serial, (record) => {
    const { ['9E' as KeySlot]: _cardAuthentication, ...certificates } = record.certificates;
    return { certificates };
  });
}

async function signedIn(card: Issued, context?: CallContext): Promise<KioskHome> {
  // Issuance makes the card authentication key (9E): the card proves itself before the PIN.
  expect(await value('kiosk:begin', { reader: READER }, context)).toMatchObject({ ok: true, next: 'pin', proof: 'cardAuthentication' });
  const result = await value('kiosk:signIn', { pin: card.pin }, context);
  expect(result).toMatchObject({ ok: true });
  return result['home'] as KioskHome;
}

function failuresOf(source: string, channel: string) {
  return rig.audit.events.filter((e) => e.outcome === 'failure' && e.channel === 'kiosk' && e.reason === 'SESSION_ENDED' && e.details?.['channel'] === channel && (e.details['source'] === undefined || e.details['source'] === source));
}

// Each test issues or signs with a card: under a loaded machine (CI runs files side by side) 5 s is too short.
describe('the kiosk', { timeout: 30_000 }, () => {
  it('signs a holder in with the card and the PIN (9A proof after the PIN) and shows only their data', async () => {
    const first = await issued({ firstName: 'Arta' });
    const card = await issued({ firstName: 'Besa' });
    await asOlderCard(card);
    const begun = await value('kiosk:begin', { reader: READER });
    expect(begun).toMatchObject({ ok: true, next: 'pin', proof: 'afterPin' });
    expect(begun['pinTriesLeft']).toBeGreaterThan(0);
    // Before the PIN, nothing about the holder.
    expect(await call('kiosk:home', undefined)).toMatchObject({ ok: false, error: { code: 'SESSION_ENDED' } });
    const signIn = await value('kiosk:signIn', { pin: card.pin });
    expect(signIn['ok']).toBe(true);
    const home = signIn['home'] as KioskHome;
    const holder = rig.vault.directory.get(card.holderId);
    expect(home.holder).toMatchObject({ firstName: 'Besa', lastName: 'Holder', userNumber: holder.userNumber, documentExpiry: '2030-01-01', documentExpiresSoon: false });
    expect(home.card).toEqual({ serial: card.serial, state: 'active' });
    expect(home.certificates.map((c) => c.serial).sort()).toEqual(rig.vault.certificates.forCard(card.serial).map((c) => c.serial).sort());
    expect(home.certificates.length).toBeGreaterThanOrEqual(3);
    expect(home.contract?.id).toBe(card.contractId);
    expect(JSON.stringify(home)).not.toContain('Arta');
    expect(JSON.stringify(home)).not.toContain(first.serial);
    expect(await value('kiosk:home', undefined)).toEqual({ ...home, idleSecondsLeft: expect.any(Number) as number });
    // Recorded with the holder as actor on the kiosk channel.
    expect(rig.audit.events.filter((e) => e.action === 'kiosk.sessionStart' && e.holderId === card.holderId && e.outcome === 'success').map((e) => [e.actor, e.channel, e.details?.['stage']])).toEqual([
      [{ kind: 'holder', id: card.holderId }, 'kiosk', 'begun'],
      [{ kind: 'holder', id: card.holderId }, 'kiosk', 'signedIn'],
    ]);
  });

  it('says how many tries are left after a wrong PIN, and leads a blocked PIN to the unblock', async () => {
    const card = await issued();
    const begun = await value('kiosk:begin', { reader: READER });
    const tries = begun['pinTriesLeft'] as number;
    expect(await value('kiosk:signIn', { pin: other(card.pin) })).toEqual({ ok: false, reason: 'wrongPin', triesLeft: tries - 1 });
    for (let left = tries - 1; left > 0; left -= 1) await value('kiosk:signIn', { pin: other(card.pin) });
    expect(await value('kiosk:signIn', { pin: card.pin })).toMatchObject({ ok: false, reason: 'pinBlocked' });
    expect(await value('kiosk:begin', { reader: READER })).toMatchObject({ ok: true, next: 'unblock', pinTriesLeft: 0 });
    // The PUK from the letter unblocks it before sign-in, on the session's card.
    expect(card.puk, 'the PIN letter holds the PUK').not.toBeNull();
    expect(await value('kiosk:unblockPin', { puk: card.puk === '00000000' ? '11111111' : '00000000', newPin: '24681357' })).toMatchObject({ ok: false, reason: 'wrongPuk' });
    expect(await value('kiosk:unblockPin', { puk: card.puk ?? '', newPin: '24681357' })).toEqual({ ok: true, home: null });
    secrets.add('24681357');
    expect(await value('kiosk:signIn', { pin: '24681357' })).toMatchObject({ ok: true });
  });

  it('refuses every session-bound call without a session, and records each refusal', async () => {
    const before = failuresOf(windowA.source!, 'kiosk:home').length;
    for (const [channel, args] of [
      ['kiosk:home', undefined],
      ['kiosk:history', {}],
      ['kiosk:changePin', { currentPin: '123456', newPin: '654321' }],
      ['kiosk:suspend', { days: 3 }],
      ['kiosk:certificate', { serial: 'AB12', format: 'pem' }],
      ['kiosk:signIn', { pin: '123456' }],
      ['kiosk:signOut', undefined],
    ] as const) {
      expect(await call(channel, args as never), channel).toMatchObject({ ok: false, error: { code: 'SESSION_ENDED' } });
      expect(failuresOf(windowA.source!, channel).length, channel).toBeGreaterThan(0);
    }
    expect(failuresOf(windowA.source!, 'kiosk:home').length).toBe(before + 1);
    // The desk cannot reach the kiosk's channels, nor the kiosk the reader-addressed ones.
    expect(await dispatch(handlers, 'kiosk:home', undefined, { surface: 'desk', transport: 'ipc' }, silentLogger)).toMatchObject({ ok: false, error: { code: 'NOT_ON_THIS_SURFACE' } });
    for (const channel of ['cards:verifyPin', 'cards:changePin', 'cards:inspect', 'cards:activate', 'audit:holderSummary'] as const) {
      expect(await dispatch(handlers, channel, {}, windowA, silentLogger), channel).toMatchObject({ ok: false, error: { code: 'NOT_ON_THIS_SURFACE' } });
    }
  });

  it("keeps one window's session from another window", async () => {
    const card = await issued();
    await signedIn(card, windowA);
    for (const [channel, args] of [
      ['kiosk:home', undefined],
      ['kiosk:history', {}],
      ['kiosk:changePin', { currentPin: card.pin, newPin: '97531864' }],
      ['kiosk:revoke', { reason: 'keyCompromise', pin: card.pin }],
      ['kiosk:suspend', { days: 2 }],
    ] as const) {
      expect(await call(channel, args as never, windowB), channel).toMatchObject({ ok: false, error: { code: 'SESSION_ENDED' } });
    }
    expect(rig.vault.directory.card(card.serial).state).toBe('active');
    expect(rig.vault.certificates.forCard(card.serial).every((c) => c.status === 'valid')).toBe(true);
    // Window A still has its session, untouched.
    expect(await value('kiosk:home', undefined, windowA)).toMatchObject({ card: { serial: card.serial } });
    // A new begin in window A replaces its session.
    await value('kiosk:begin', { reader: READER }, windowA);
    expect(ended).toEqual([{ source: windowA.source, reason: 'replaced' }]);
  });

  it('ends the session at once when the card leaves the reader', async () => {
    const card = await issued();
    await signedIn(card);
    const pulled = rig.card;
    rig.card = null;
    await kiosk.cardRemoved(READER);
    expect(ended).toEqual([{ source: windowA.source, reason: 'cardRemoved' }]);
    expect(rig.audit.events.at(-1)).toMatchObject({ action: 'kiosk.sessionEnd', reason: 'cardRemoved', actor: { kind: 'holder', id: card.holderId }, channel: 'kiosk' });
    expect(await call('kiosk:home', undefined)).toMatchObject({ ok: false, error: { code: 'SESSION_ENDED' } });
    // Put back, the card needs a new sign-in.
    rig.card = pulled;
    expect(await call('kiosk:history', {})).toMatchObject({ ok: false, error: { code: 'SESSION_ENDED' } });

    // A card swapped for another without the event: the next card action finds it and ends the session.
    await signedIn(card);
    const other = await blankCard();
    rig.card = other;
    expect(await value('kiosk:changePin', { currentPin: card.pin, newPin: '13572468' })).toEqual({ ok: false, reason: 'cardRemoved', triesLeft: null });
    expect(ended.at(-1)).toEqual({ source: windowA.source, reason: 'cardRemoved' });
    expect(await call('kiosk:home', undefined)).toMatchObject({ ok: false, error: { code: 'SESSION_ENDED' } });
  });

  it('tells a PIN change cut by a pulled card as not done, and the card keeps a consistent PIN', async () => {
    const card = await issued();
    await signedIn(card);
    // SELECT, the serial, then CHANGE REFERENCE (index 2): pulled before the card ran it.
    rig.pullAt = { at: 2, when: 'before' };
    expect(await value('kiosk:changePin', { currentPin: card.pin, newPin: '19283746' })).toEqual({ ok: false, reason: 'cardRemoved', triesLeft: null });
    expect(ended.at(-1)).toEqual({ source: windowA.source, reason: 'cardRemoved' });
    expect(await call('kiosk:home', undefined)).toMatchObject({ ok: false, error: { code: 'SESSION_ENDED' } });
    // The card never changed it: the old PIN signs in.
    await signedIn(card);
    // Pulled after the card ran it (its answer lost): still not told as done, and the card has the new PIN.
    rig.pullAt = { at: 2, when: 'after' };
    expect(await value('kiosk:changePin', { currentPin: card.pin, newPin: '19283746' })).toEqual({ ok: false, reason: 'cardRemoved', triesLeft: null });
    secrets.add('19283746');
    await value('kiosk:begin', { reader: READER });
    expect(await value('kiosk:signIn', { pin: '19283746' })).toMatchObject({ ok: true });
  });

  it('ends the session after the idle time; a touch starts it again', async () => {
    const card = await issued();
    await signedIn(card);
    shift = 50_000;
    expect(await value('kiosk:touch', undefined)).toEqual({ idleSecondsLeft: 60 });
    shift = 100_000;
    await kiosk.sweep();
    expect(ended).toEqual([]);
    shift = 111_000;
    await kiosk.sweep();
    expect(ended).toEqual([{ source: windowA.source, reason: 'idle' }]);
    expect(await call('kiosk:home', undefined)).toMatchObject({ ok: false, error: { code: 'SESSION_ENDED' } });

    // Found idle by the next call, before any sweep.
    await signedIn(card);
    shift += 61_000;
    expect(await call('kiosk:home', undefined)).toMatchObject({ ok: false, error: { code: 'SESSION_ENDED' } });
    expect(ended.at(-1)).toEqual({ source: windowA.source, reason: 'idle' });
  });

  it("suspends all the card's certificates in the CA at once: the CRL lists them on hold", async () => {
    const card = await issued();
    await signedIn(card);
    const result = await value('kiosk:suspend', { days: 3 });
    expect(result['ok']).toBe(true);
    const certificates = rig.vault.certificates.forCard(card.serial);
    expect(certificates.map((c) => [c.status, c.reason])).toEqual(certificates.map(() => ['suspended', 'certificateHold']));
    expect(rig.vault.directory.card(card.serial).state).toBe('suspended');
    expect((result['home'] as KioskHome).certificates.every((c) => c.status === 'suspended' && c.holdUntil !== null)).toBe(true);
    const crl = openssl('crl', '-inform', 'DER', '-in', join(rig.vault.ca.publishDir, 'ca.crl'), '-noout', '-text');
    expect(crl.code, crl.stderr).toBe(0);
    for (const certificate of certificates) {
      const entry = new RegExp(`Serial Number: 0*${certificate.serial.replace(/^0+/, '')}\\s+Revocation Date:[^\\n]+\\n\\s+CRL entry extensions:\\s+X509v3 CRL Reason Code:\\s+Certificate Hold`, 'i');
      expect(crl.stdout).toMatch(entry);
    }
    expect(rig.audit.events.filter((e) => e.action === 'ca.certificateSuspend' && e.holderId === card.holderId).every((e) => e.actor.kind === 'holder' && e.channel === 'kiosk')).toBe(true);
  });

  it('revokes only with the right PIN, checked by the card', async () => {
    const card = await issued();
    await signedIn(card);
    const wrong = await value('kiosk:revoke', { reason: 'keyCompromise', pin: other(card.pin) });
    expect(wrong).toMatchObject({ ok: false, reason: 'wrongPin' });
    expect(rig.vault.certificates.forCard(card.serial).every((c) => c.status === 'valid')).toBe(true);
    const right = await value('kiosk:revoke', { reason: 'keyCompromise', pin: card.pin });
    expect(right['ok']).toBe(true);
    expect(rig.vault.certificates.forCard(card.serial).map((c) => [c.status, c.reason])).toEqual(rig.vault.certificates.forCard(card.serial).map(() => ['revoked', 'keyCompromise']));
    expect(rig.vault.directory.card(card.serial).state).toBe('revoked');
    // A revoked card no longer begins a session.
    expect(await value('kiosk:begin', { reader: READER })).toEqual({ ok: false, reason: 'cardNotUsable' });
  });

  it("asks a holder with an authenticator for its code before suspend and revoke: without it, wrong or replayed, nothing changes and the PIN is not tried", async () => {
    const card = await issued();
    const tries = (await value('kiosk:begin', { reader: READER }))['pinTriesLeft'] as number;
    expect(((await value('kiosk:signIn', { pin: card.pin }))['home'] as KioskHome).secondFactor).toBe(false);
    const enrolment = await factor.begin(card.holderId, operator);
    expect(await factor.confirm(card.holderId, oathtool(enrolment.secret, factorMs), operator)).toMatchObject({ ok: true });
    const nextCode = (): string => {
      factorMs += 30_000;
      const code = oathtool(enrolment.secret, factorMs);
      secrets.add(code);
      return code;
    };
    expect((await value('kiosk:home', undefined))['secondFactor']).toBe(true);
    const refused = { ok: false, reason: 'secondFactorWrong', triesLeft: null };
    const code = nextCode();
    const wrong = code === '000000' ? '111111' : '000000';
    expect(await value('kiosk:suspend', { days: 3 })).toEqual(refused);
    expect(await value('kiosk:suspend', { days: 3, secondFactor: wrong })).toEqual(refused);
    // A wrong PIN with no code: refused for the code, the card never asked (its PIN tries are all there).
    expect(await value('kiosk:revoke', { reason: 'keyCompromise', pin: other(card.pin) })).toEqual(refused);
    expect(rig.vault.certificates.forCard(card.serial).every((c) => c.status === 'valid')).toBe(true);
    expect(await value('kiosk:suspend', { days: 3, secondFactor: code })).toMatchObject({ ok: true });
    expect(rig.vault.certificates.forCard(card.serial).every((c) => c.status === 'suspended')).toBe(true);
    // The same code again (its step not over): refused, nothing revoked.
    expect(await value('kiosk:revoke', { reason: 'keyCompromise', pin: card.pin, secondFactor: code })).toEqual(refused);
    expect(rig.vault.certificates.forCard(card.serial).every((c) => c.status === 'suspended')).toBe(true);
    // The earlier refusals never reached the card: this is its first wrong PIN since the sign-in.
    expect(await value('kiosk:revoke', { reason: 'keyCompromise', pin: other(card.pin), secondFactor: nextCode() })).toEqual({ ok: false, reason: 'wrongPin', triesLeft: tries - 1 });
    expect(await value('kiosk:revoke', { reason: 'keyCompromise', pin: card.pin, secondFactor: nextCode() })).toMatchObject({ ok: true });
    expect(rig.vault.certificates.forCard(card.serial).map((c) => c.status)).toEqual(rig.vault.certificates.forCard(card.serial).map(() => 'revoked'));
    const refusals = rig.audit.events.filter((e) => e.holderId === card.holderId && e.outcome === 'failure' && e.reason === 'secondFactorWrong');
    expect(refusals.map((e) => e.action)).toEqual(['card.suspend', 'card.suspend', 'card.revoke', 'card.revoke']);
    expect(refusals.every((e) => e.actor.kind === 'holder' && e.channel === 'kiosk')).toBe(true);
  });

  it('refuses suspension and revocation while the vault is locked, and says so in the status', async () => {
    const card = await issued();
    await signedIn(card);
    await rig.vault.vault.lock(operator);
    try {
      expect(kiosk.status()).toMatchObject({ keyServices: 'vaultLocked', outOfService: null, idleSeconds: 60, filesAllowed: true });
      expect(await value('kiosk:suspend', { days: 2 })).toEqual({ ok: false, reason: 'serviceUnavailable', triesLeft: null });
      expect(await value('kiosk:revoke', { reason: 'unspecified', pin: card.pin })).toEqual({ ok: false, reason: 'serviceUnavailable', triesLeft: null });
      // Card-only operations still work.
      expect(await value('kiosk:changePin', { currentPin: card.pin, newPin: '86420975' })).toMatchObject({ ok: true });
      secrets.add('86420975');
    } finally {
      await rig.vault.vault.unlock(Buffer.from(PASSPHRASE), operator);
    }
    expect(kiosk.status().keyServices).toBe('available');
  });

  it('changes the PIN on the session card; the new PIN signs in', async () => {
    const card = await issued();
    await signedIn(card);
    expect(await value('kiosk:changePin', { currentPin: other(card.pin), newPin: '75319864' })).toMatchObject({ ok: false, reason: 'wrongPin' });
    expect(await value('kiosk:changePin', { currentPin: card.pin, newPin: '75319864' })).toMatchObject({ ok: true, home: { card: { serial: card.serial } } });
    secrets.add('75319864');
    await value('kiosk:signOut', undefined);
    expect(ended.at(-1)).toEqual({ source: windowA.source, reason: 'signedOut' });
    await value('kiosk:begin', { reader: READER });
    expect(await value('kiosk:signIn', { pin: card.pin })).toMatchObject({ ok: false, reason: 'wrongPin' });
    expect(await value('kiosk:signIn', { pin: '75319864' })).toMatchObject({ ok: true });
    const change = rig.audit.events.filter((e) => e.action === 'card.pinChange' && e.cardSerial === card.serial);
    expect(change.map((e) => [e.outcome, e.actor.kind, e.channel])).toEqual([
      ['failure', 'holder', 'kiosk'],
      ['success', 'holder', 'kiosk'],
    ]);
  });

  it("gives the holder's own history, certificates and contract only", async () => {
    const someoneElse = await issued();
    await signedIn(someoneElse);
    await value('kiosk:signOut', undefined);
    const card = await issued();
    await signedIn(card);
    const history = await value('kiosk:history', { limit: 200 });
    expect(history['holderId']).toBe(card.holderId);
    const entries = history['entries'] as AuditEntry[];
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.every((e) => e.holderId === card.holderId)).toBe(true);
    expect(rig.audit.events.some((e) => e.holderId === someoneElse.holderId)).toBe(true);
    // The page cannot name another holder.
    expect(await call('kiosk:history', { holderId: someoneElse.holderId } as never)).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENTS' } });

    const own = rig.vault.certificates.forCard(card.serial)[0]!;
    const pem = await value('kiosk:certificate', { serial: own.serial, format: 'pem' });
    const text = Buffer.from(pem['base64'] as string, 'base64').toString('utf8');
    const parsed = tool('openssl', ['x509', '-noout', '-serial'], text);
    expect(parsed.code, parsed.stderr).toBe(0);
    expect(parsed.stdout.trim().replace(/^serial=0*/, '')).toBe(own.serial.replace(/^0+/, ''));
    const foreign = rig.vault.certificates.forCard(someoneElse.serial)[0]!;
    expect(await call('kiosk:certificate', { serial: foreign.serial, format: 'der' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    settings.filesAllowed = false;
    expect(await call('kiosk:certificate', { serial: own.serial, format: 'pem' })).toMatchObject({ ok: false });

    const contract = await value('kiosk:contract', undefined);
    const document = contract['document'] as { base64: string; fileName: string };
    expect(document.fileName).toContain(card.serial);
    expect(Buffer.from(document.base64, 'base64').subarray(0, 5).toString('latin1')).toBe('%PDF-');
  });

  it('leads a card awaiting activation to activation: the contract read, the PIN, the card signs', async () => {
    const card = await issued({ activation: 'holderSigns' });
    // Its 9E certificate is valid while the others wait on hold: the card proves itself at the kiosk where it is activated.
    expect(await value('kiosk:begin', { reader: READER })).toMatchObject({ ok: true, next: 'activate', proof: 'cardAuthentication' });
    const pending = await value('kiosk:pendingContract', undefined);
    expect(Buffer.from(pending['base64'] as string, 'base64').subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(await value('kiosk:activate', { pin: other(card.pin) })).toMatchObject({ ok: false, reason: 'wrongPin' });
    const done = await value('kiosk:activate', { pin: card.pin });
    expect(done).toMatchObject({ ok: true, home: { card: { serial: card.serial, state: 'active' } } });
    expect(rig.vault.directory.card(card.serial).state).toBe('active');
    expect((await rig.contracts.get(card.contractId)).status).toBe('signed');
    expect(rig.audit.events.find((e) => e.action === 'card.activate' && e.cardSerial === card.serial && e.outcome === 'success')).toMatchObject({ actor: { kind: 'holder', id: card.holderId }, channel: 'kiosk' });
    // Signed in by the activation.
    expect(await value('kiosk:home', undefined)).toMatchObject({ card: { state: 'active' } });
  }, 30_000);

  it('refuses an unknown card, and limits the attempts before sign-in per window', async () => {
    rig.card = await blankCard();
    const limited: CallContext = { surface: 'kiosk', transport: 'websocket', source: 'kiosk-window-limit' };
    expect(await value('kiosk:begin', { reader: READER }, limited)).toEqual({ ok: false, reason: 'unknownCard' });
    for (let i = 1; i < 10; i += 1) await value('kiosk:begin', { reader: READER }, limited);
    expect(await value('kiosk:begin', { reader: READER }, limited)).toEqual({ ok: false, reason: 'tooManyAttempts' });
    // Another window is not limited by this one.
    expect(await value('kiosk:begin', { reader: READER }, windowB)).toEqual({ ok: false, reason: 'unknownCard' });
    // A minute later the window may try again.
    shift = 61_000;
    expect(await value('kiosk:begin', { reader: READER }, limited)).toEqual({ ok: false, reason: 'unknownCard' });
  });

  it('proves a card with a 9E key before the PIN, and refuses one whose 9E key is not the certified one or whose certificate is revoked', async () => {
    const card = await issued();
    // Issuance made the 9E key (no PIN) and its id-PIV-cardAuth certificate, kept in the card's personalisation.
    const certificate = rig.deps.personalisations.get(card.serial)!.certificates['9E' as KeySlot]!;
    expect(rig.vault.certificates.record(certificate).profile).toBe('cardAuthentication');
    const begun = await value('kiosk:begin', { reader: READER });
    expect(begun).toMatchObject({ ok: true, next: 'pin', proof: 'cardAuthentication' });
    expect(await value('kiosk:signIn', { pin: card.pin })).toMatchObject({ ok: true });
    expect(rig.audit.events.filter((e) => e.action === 'kiosk.sessionStart' && e.cardSerial === card.serial).at(-1)?.details).toMatchObject({ proof: 'cardAuthentication', stage: 'signedIn' });
    await value('kiosk:signOut', undefined);

    // A new key in 9E: the card no longer matches the certificate the desk holds.
    const client = await inspect(rig.card!);
    expect(await authenticateWithCandidates(client, rig.deps.cardKeys.candidates(card.serial, false))).not.toBeNull();
    await client.generateKey('9E', 'eccp256', 'never');
    expect(await value('kiosk:begin', { reader: READER })).toEqual({ ok: false, reason: 'notGenuine' });
    expect(rig.audit.events.at(-1)).toMatchObject({ action: 'kiosk.sessionStart', outcome: 'failure', reason: 'notGenuine', cardSerial: card.serial });

    // The right key again but its certificate revoked in the CA: refused as well.
    const again = await putCardAuthenticationKey(card);
    expect(await value('kiosk:begin', { reader: READER })).toMatchObject({ ok: true, proof: 'cardAuthentication' });
    await rig.vault.certificates.revoke(again, 'keyCompromise', operator);
    expect(await value('kiosk:begin', { reader: READER })).toEqual({ ok: false, reason: 'notGenuine' });
    expect(certificate).not.toBe(again);
  });

  it('never records a PIN or PUK', () => {
    expect(secrets.size).toBeGreaterThan(5);
    const recorded = JSON.stringify(rig.audit.events);
    for (const secret of secrets) expect(recorded).not.toMatch(new RegExp(`(?<![0-9])${secret}(?![0-9])`));
  });
});
