import { describe, expect, it } from 'vitest';
import type { CardRecord, Holder } from '../../shared/schemas/holders';
import type { LifecycleResult } from '../../shared/schemas/lifecycle';
import type { OneTimeCodeCheck, OneTimeCodes, SecondFactor } from '../account/account-ports';
import { MemoryAuditTrail } from '../audit/audit-trail';
import { AttemptLimit } from './attempt-limit';
import { StolenCardService } from './stolen-card';

const holder = { id: 'h1', personalNumber: 'AB123456', firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.org', language: 'it' } as Holder;
const card = (serial: string, state: CardRecord['state']): CardRecord => ({ serial, holderId: 'h1', state, nextStates: [], createdAt: '', updatedAt: '' });

/** One-time codes as the account's service behaves: one code per send, single use, every check counted. */
class RecordingCodes implements OneTimeCodes {
  readonly sent: { id: string; code: string; to: string; language: string; used: boolean }[] = [];
  send(request: Parameters<OneTimeCodes['send']>[0]) {
    const id = `code-${this.sent.length}`;
    this.sent.push({ id, code: String(100000 + this.sent.length), to: request.to, language: request.language, used: false });
    return Promise.resolve({ codeId: id, expiresAt: new Date(Date.now() + 600_000).toISOString() });
  }
  check(codeId: string, _expected: unknown, code: string): Promise<OneTimeCodeCheck> {
    const entry = this.sent.find((s) => s.id === codeId);
    if (entry === undefined) return Promise.resolve('unknown');
    if (entry.used) return Promise.resolve('used');
    if (entry.code !== code) return Promise.resolve('wrong');
    entry.used = true;
    return Promise.resolve('ok');
  }
}

function rig(options: { cards?: CardRecord[]; totp?: string | null; keys?: boolean; now?: () => number } = {}) {
  const codes = new RecordingCodes();
  const audit = new MemoryAuditTrail();
  const suspended: { serial: string; days: number; actor: string }[] = [];
  const secondFactor: SecondFactor = {
    enrolled: (id) => id === 'h1' && (options.totp ?? null) !== null,
    verify: (_id, code) => Promise.resolve(code === options.totp),
  };
  const service = new StolenCardService({
    holderByPersonalNumber: (pn) => (pn === holder.personalNumber ? holder : null),
    cardsOf: () => options.cards ?? [card('S1', 'active'), card('S2', 'active'), card('S3', 'revoked')],
    codeAddress: (h) => (h.email === '' ? null : { channel: 'email', to: h.email }),
    codes,
    secondFactor,
    suspend: (serial, days, op): Promise<LifecycleResult> => {
      suspended.push({ serial, days, actor: `${op.actor.kind}:${op.actor.id}` });
      return Promise.resolve({ ok: true, serial, letters: [], outbox: null });
    },
    keysAvailable: () => options.keys ?? true,
    audit,
    ...(options.now === undefined ? {} : { now: options.now, perWindow: new AttemptLimit({ limit: 10, windowMs: 60_000, now: options.now }) }),
  });
  return { service, codes, audit, suspended };
}

describe('the stolen card reported at the kiosk without the card', () => {
  it('a code to the holder’s address in their language; the right code suspends every active card, as the holder', async () => {
    const { service, codes, suspended, audit } = rig();
    const begun = await service.begin('kiosk-page:1', 'ab 123-456');
    expect(codes.sent).toHaveLength(1);
    expect(codes.sent[0]).toMatchObject({ to: 'ada@example.org', language: 'it' });
    const result = await service.complete('kiosk-page:1', begun.flowId, codes.sent[0]!.code, 30);
    expect(result).toMatchObject({ ok: true, suspendedCards: 2 });
    expect(suspended).toEqual([
      { serial: 'S1', days: 30, actor: 'holder:h1' },
      { serial: 'S2', days: 30, actor: 'holder:h1' },
    ]);
    const last = audit.events.at(-1)!;
    expect(last).toMatchObject({ action: 'kiosk.stolenCard', outcome: 'success', holderId: 'h1', channel: 'kiosk' });
    // No code in any event.
    expect(JSON.stringify(audit.events)).not.toContain(codes.sent[0]!.code);
    // The flow is used up.
    expect(await service.complete('kiosk-page:1', begun.flowId, codes.sent[0]!.code, 30)).toEqual({ ok: false, reason: 'expired' });
  });

  it('an unknown personal number gets the same first answer, and only ever "wrong code"', async () => {
    const { service, codes, suspended } = rig();
    const known = await service.begin('kiosk-page:1', 'AB123456');
    const unknown = await service.begin('kiosk-page:1', 'ZZ999999');
    expect(Object.keys(unknown).sort()).toEqual(Object.keys(known).sort());
    expect(codes.sent).toHaveLength(1);
    for (const guess of ['100000', '123456', '000000']) expect(await service.complete('kiosk-page:1', unknown.flowId, guess, 7)).toEqual({ ok: false, reason: 'wrongCode' });
    expect(suspended).toEqual([]);
  });

  it('a wrong code suspends nothing; after five tries the flow ends; another window cannot use the flow', async () => {
    const { service, codes, suspended } = rig();
    const begun = await service.begin('kiosk-page:1', 'AB123456');
    const right = codes.sent[0]!.code;
    expect(await service.complete('kiosk-page:2', begun.flowId, right, 7)).toEqual({ ok: false, reason: 'expired' });
    for (let i = 0; i < 5; i += 1) expect(await service.complete('kiosk-page:1', begun.flowId, '999999', 7)).toEqual({ ok: false, reason: 'wrongCode' });
    expect(await service.complete('kiosk-page:1', begun.flowId, right, 7)).toEqual({ ok: false, reason: 'tooManyAttempts' });
    expect(suspended).toEqual([]);
  });

  it('an enrolled authenticator’s code works too', async () => {
    const { service, suspended } = rig({ totp: '424242' });
    const begun = await service.begin('kiosk-page:1', 'AB123456');
    expect(await service.complete('kiosk-page:1', begun.flowId, '424242', 3)).toMatchObject({ ok: true, suspendedCards: 2 });
    expect(suspended.map((s) => s.days)).toEqual([3, 3]);
  });

  it('the flow expires after ten minutes', async () => {
    let now = 1_000_000;
    const { service, codes } = rig({ now: () => now });
    const begun = await service.begin('kiosk-page:1', 'AB123456');
    now += 10 * 60_000 + 1;
    expect(await service.complete('kiosk-page:1', begun.flowId, codes.sent[0]!.code, 7)).toEqual({ ok: false, reason: 'expired' });
  });

  it('no active card: nothing to suspend; the desk’s keys out: the code is not used up', async () => {
    const none = rig({ cards: [card('S3', 'revoked')] });
    const a = await none.service.begin('kiosk-page:1', 'AB123456');
    expect(await none.service.complete('kiosk-page:1', a.flowId, none.codes.sent[0]!.code, 7)).toEqual({ ok: false, reason: 'nothingToSuspend' });
    const locked = rig({ keys: false });
    const b = await locked.service.begin('kiosk-page:1', 'AB123456');
    expect(await locked.service.complete('kiosk-page:1', b.flowId, locked.codes.sent[0]!.code, 7)).toEqual({ ok: false, reason: 'serviceUnavailable' });
    expect(locked.codes.sent[0]!.used).toBe(false);
  });

  it('attempts are limited per kiosk window and per personal number', async () => {
    const { service } = rig();
    for (let i = 0; i < 5; i += 1) await service.begin('kiosk-page:1', 'AB123456');
    await expect(service.begin('kiosk-page:3', 'AB123456')).rejects.toMatchObject({ code: 'TOO_MANY_ATTEMPTS' });
    for (let i = 0; i < 5; i += 1) await service.begin('kiosk-page:4', `CD00000${i}`);
    for (let i = 0; i < 5; i += 1) await service.begin('kiosk-page:4', `EF00000${i}`).catch(() => undefined);
    await expect(service.begin('kiosk-page:4', 'GH000000')).rejects.toMatchObject({ code: 'TOO_MANY_ATTEMPTS' });
  });
});
