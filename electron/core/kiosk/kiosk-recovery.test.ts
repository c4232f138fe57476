/**
 * The kiosk's recovery-code unblock with the real RecoveryCodes and one-time codes over a vault
 * record store in a temporary folder, and small fakes for the kiosk session, the card service and
 * the second factor: it acts only for the window's session, asks for the second factor when one
 * is enrolled, unblocks with the sealed PUK, uses the code up (a new one follows) and says so when
 * the PUK is blocked; the window's limit and the holder's limit hold.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CardDeskError } from '../../shared/errors';
import { holderInput, tempHome } from '../../../test/support/vault-fixtures';
import { RecordingQueue } from '../../../test/support/recording-queue';
import type { AuditEventInput } from '../audit/audit-trail';
import { MemoryAuditTrail } from '../audit/audit-trail';
import { LetterOutbox } from '../letters/outbox';
import type { RecordChange } from '../vault/record-store';
import { VaultAccess } from '../vault/vault-access';
import { VaultOneTimeCodes } from '../account/one-time-codes';
import { newRecoveryCode } from '../account/recovery-code-format';
import { RecoveryCodes } from '../account/recovery-codes';
import { KioskRecovery } from './kiosk-recovery';
import type { KioskSession } from './kiosk-sessions';

const holder = { ...holderInput(1), id: 'h-1', userNumber: '1000000017', version: 1, createdAt: '', updatedAt: '', emailVerified: true, mobileVerified: false, contactCooldownUntil: '' };
const SERIAL = 'C0FFEE01';
const SEALED_PUK = '12345678';

const accesses: VaultAccess[] = [];
afterEach(async () => {
  for (const access of accesses.splice(0)) await access.close();
});

function rig(options: { enrolled?: boolean; pukBlocked?: boolean; windowLimit?: number } = {}) {
  const dir = tempHome();
  const access = new VaultAccess(dir);
  accesses.push(access);
  const events: AuditEventInput[] = [];
  const recorder = {
    commit: async (changes: readonly RecordChange[], event: AuditEventInput) => {
      events.push(event);
      await access.storage().records.commit(changes);
    },
  };
  const queue = new RecordingQueue();
  const outbox = new LetterOutbox(join(dir, 'outbox'), access);
  const directory = {
    get: () => holder,
    cardsOf: () => [],
    cardOrNull: (serial: string) => (serial === SERIAL ? ({ serial, holderId: 'h-1', state: 'active' } as never) : null),
  };
  const recovery = new RecoveryCodes({ access, recorder, queue, outbox, directory, letterSender: () => 'Desk' });
  const codes = new VaultOneTimeCodes({ access, recorder, queue });
  const sessions = new Map<string, KioskSession>([['win-1', { source: 'win-1', reader: 'R1', serial: SERIAL, holderId: 'h-1', stage: 'begun', proof: 'cardAuthentication', lastTouch: 0 }]]);
  let windowCalls = 0;
  const unblocks: { reader: string; puk: string; pin: string }[] = [];
  const factorCodes: string[] = [];
  const audit = new MemoryAuditTrail();
  const kiosk = new KioskRecovery({
    kiosk: {
      liveSession: (source) => {
        const session = sessions.get(source);
        return session === undefined ? Promise.reject(new CardDeskError('SESSION_ENDED', 'no session')) : Promise.resolve(session);
      },
      cardStillThere: () => Promise.resolve(null),
      windowAllows: () => (windowCalls += 1) <= (options.windowLimit ?? 100),
      keysAvailable: () => true,
    },
    recovery,
    codes,
    secondFactor: {
      enrolled: () => options.enrolled === true,
      verify: (_holderId, code) => {
        factorCodes.push(code);
        return Promise.resolve(code === '246810');
      },
    },
    directory,
    personalisations: { hasPuk: (serial) => serial === SERIAL, puk: () => Buffer.from(SEALED_PUK) },
    cards: {
      unblockPin: (reader, puk, pin) => {
        unblocks.push({ reader, puk: puk.toString(), pin: pin.toString() });
        puk.fill(0);
        pin.fill(0);
        return Promise.resolve(options.pukBlocked === true ? { ok: false, reason: 'pukBlocked', triesLeft: 0 } : { ok: true });
      },
    },
    audit,
    recorder,
    queue,
    pinLength: () => 6,
  });
  const letterCode = (fileName: string): string => /\b([0-9A-Z]{4}(?:-[0-9A-Z]{4}){5})\b/.exec(execFileSync('pdftotext', ['-layout', outbox.path(fileName), '-'], { encoding: 'utf8' }))![1]!;
  return { kiosk, recovery, queue, events, audit, unblocks, factorCodes, sessions, letterCode };
}

const op = { actor: { kind: 'operator', id: 'tester' }, channel: 'desk' } as const;

describe('unblock with the recovery code at the kiosk', () => {
  it('ERC → one-time code → RESET RETRY COUNTER with the sealed PUK and the new PIN → the ERC used up, a new one issued, pinUnblocked queued', async () => {
    const r = rig();
    const { letter } = await r.recovery.issueRecoveryCode('h-1', op, 'issuance');
    const erc = r.letterCode(letter);
    const begun = await r.kiosk.begin('win-1', erc.toLowerCase());
    expect(begun).toMatchObject({ ok: true, channel: 'email', sentTo: 'h***@example.org', secondFactor: false });
    const otp = r.queue.lastCode('holder1@example.org')!;
    expect(await r.kiosk.complete('win-1', { code: otp, newPin: '12345' })).toEqual({ ok: false, reason: 'newPinInvalid' });
    expect(await r.kiosk.complete('win-1', { code: otp === '000000' ? '000001' : '000000', newPin: '654321' })).toEqual({ ok: false, reason: 'codeWrong' });
    expect(await r.kiosk.complete('win-1', { code: otp, newPin: '654321' })).toEqual({ ok: true });
    expect(r.unblocks).toEqual([{ reader: 'R1', puk: SEALED_PUK, pin: '654321' }]);
    expect(r.queue.queuedRequests.map((q) => q.kind)).toEqual(['recoveryCodeIssued', 'oneTimeCode', 'pinUnblocked', 'recoveryCodeIssued']);
    expect(r.recovery.status('h-1')).toMatchObject({ reason: 'used' });
    // The old ERC is used up; nothing recorded carries a secret.
    expect(await r.kiosk.begin('win-1', erc)).toEqual({ ok: false, reason: 'wrong' });
    const recorded = JSON.stringify([...r.events, ...r.audit.events]);
    for (const secret of [erc.replace(/-/g, ''), otp, SEALED_PUK, '654321']) expect(recorded).not.toContain(secret);
    expect(r.events.some((e) => e.action === 'account.recoveryUnblock' && e.outcome === 'success')).toBe(true);
  });

  it('acts only for the window with the session: another window has no recovery under way', async () => {
    const r = rig();
    const { letter } = await r.recovery.issueRecoveryCode('h-1', op);
    expect(await r.kiosk.begin('win-1', r.letterCode(letter))).toMatchObject({ ok: true });
    r.sessions.set('win-2', { ...r.sessions.get('win-1')!, source: 'win-2' });
    expect(await r.kiosk.complete('win-2', { code: r.queue.lastCode()!, newPin: '654321' })).toEqual({ ok: false, reason: 'noRecovery' });
    await expect(r.kiosk.begin('win-3', r.letterCode(letter))).rejects.toMatchObject({ code: 'SESSION_ENDED' });
    expect(r.unblocks).toHaveLength(0);
  });

  it('asks for the second factor when one is enrolled; a wrong one leaves the one-time code unspent', async () => {
    const r = rig({ enrolled: true });
    const { letter } = await r.recovery.issueRecoveryCode('h-1', op);
    expect(await r.kiosk.begin('win-1', r.letterCode(letter))).toMatchObject({ ok: true, secondFactor: true });
    const otp = r.queue.lastCode()!;
    expect(await r.kiosk.complete('win-1', { code: otp, newPin: '654321' })).toEqual({ ok: false, reason: 'secondFactorWrong' });
    expect(await r.kiosk.complete('win-1', { code: otp, secondFactor: '111111', newPin: '654321' })).toEqual({ ok: false, reason: 'secondFactorWrong' });
    expect(await r.kiosk.complete('win-1', { code: otp, secondFactor: '246810', newPin: '654321' })).toEqual({ ok: true });
    expect(r.factorCodes).toEqual(['111111', '246810']);
  });

  it('says the card can only be reissued when its PUK is blocked, and keeps the ERC', async () => {
    const r = rig({ pukBlocked: true });
    const { letter } = await r.recovery.issueRecoveryCode('h-1', op);
    const erc = r.letterCode(letter);
    expect(await r.kiosk.begin('win-1', erc)).toMatchObject({ ok: true });
    expect(await r.kiosk.complete('win-1', { code: r.queue.lastCode()!, newPin: '654321' })).toEqual({ ok: false, reason: 'pukBlocked' });
    expect(r.recovery.status('h-1').reason).toBe('request');
    expect(await r.kiosk.begin('win-1', erc)).toMatchObject({ ok: true });
  });

  it('limits the window (the kiosk limit) and the holder (5 wrong in 24 h), and refuses a mistyped code by its check', async () => {
    const r = rig({ windowLimit: 7 });
    const { letter } = await r.recovery.issueRecoveryCode('h-1', op);
    const erc = r.letterCode(letter);
    const typo = erc.slice(0, 2) + (erc[2] === '7' ? '8' : '7') + erc.slice(3);
    expect(await r.kiosk.begin('win-1', typo)).toEqual({ ok: false, reason: 'check' });
    for (let i = 0; i < 5; i += 1) expect(await r.kiosk.begin('win-1', newRecoveryCode())).toEqual({ ok: false, reason: 'wrong' });
    expect(await r.kiosk.begin('win-1', erc)).toEqual({ ok: false, reason: 'tooManyAttempts' });
    expect(await r.kiosk.begin('win-1', erc)).toEqual({ ok: false, reason: 'tooManyAttempts' });
    expect(r.audit.events.at(-1)).toMatchObject({ action: 'account.recoveryCodeCheck', reason: 'tooManyAttempts', actor: { kind: 'system' } });
  });
});
