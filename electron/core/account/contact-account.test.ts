import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryAuditTrail } from '../audit/audit-trail';
import { silentLogger } from '../log/logger';
import { holderInput, operator, PASSPHRASE, personalNumber, tempHome } from '../../../test/support/vault-fixtures';
import { ChangeRecorder } from '../vault/change-events';
import type { RecordChange } from '../vault/record-store';
import { createVaultServices, type VaultServices } from '../vault/vault-services';
import type { NotificationQueue, NotificationRequest, OneTimeCodeCheck, OneTimeCodePurpose, OneTimeCodes, SecondFactor } from './account-ports';
import { CONTACT_COOLDOWN_MS, ContactService } from './contact-service';
import { DOCUMENT_SUBMISSIONS, DocumentService, scanTypeOf } from './document-service';
import { LostInfoService, type RecoveryCodeIssuer } from './lost-info-service';
import type { OperationContext } from '../operation-context';

// ---- small fakes for the ports other parts implement ------------------------------------------

class FakeCodes implements OneTimeCodes {
  readonly sent: { codeId: string; code: string; holderId: string; purpose: OneTimeCodePurpose; to: string; tries: number; used: boolean }[] = [];
  send(request: { holderId: string; purpose: OneTimeCodePurpose; to: string }): Promise<{ codeId: string; expiresAt: string }> {
    const code = String(100000 + this.sent.length * 7919).slice(0, 6);
    const codeId = randomUUID();
    this.sent.push({ codeId, code, holderId: request.holderId, purpose: request.purpose, to: request.to, tries: 0, used: false });
    return Promise.resolve({ codeId, expiresAt: new Date(Date.now() + 600_000).toISOString() });
  }
  check(codeId: string, expected: { holderId: string; purpose: OneTimeCodePurpose }, code: string): Promise<OneTimeCodeCheck> {
    return Promise.resolve(this.#check(codeId, expected, code));
  }
  #check(codeId: string, expected: { holderId: string; purpose: OneTimeCodePurpose }, code: string): OneTimeCodeCheck {
    const entry = this.sent.find((s) => s.codeId === codeId && s.holderId === expected.holderId && s.purpose === expected.purpose);
    if (entry === undefined) return 'unknown';
    if (entry.used) return 'used';
    entry.tries += 1;
    if (entry.tries > 5) return 'exhausted';
    if (entry.code !== code) return 'wrong';
    entry.used = true;
    return 'ok';
  }
  codeFor(purpose: OneTimeCodePurpose, to?: string): string {
    const entry = [...this.sent].reverse().find((s) => s.purpose === purpose && (to === undefined || s.to === to));
    if (entry === undefined) throw new Error(`no ${purpose} code sent`);
    return entry.code;
  }
}

const OUTBOX = 'fakeOutbox';
class FakeQueue implements NotificationQueue {
  wakes = 0;
  queued(request: NotificationRequest): RecordChange {
    const id = randomUUID();
    const record = { id, ...request, params: { ...request.params } };
    return { collection: OUTBOX, id, record };
  }
  wake(): void {
    this.wakes += 1;
  }
}

const noFactor: SecondFactor = { enrolled: () => false, verify: () => Promise.resolve(false) };
const holderOp = (holderId: string): OperationContext => ({ actor: { kind: 'holder', id: holderId }, channel: 'kiosk' });

const open: VaultServices[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});

async function setup(options: { init?: boolean } = {}) {
  const audit = new MemoryAuditTrail();
  const services = createVaultServices({ dataDir: tempHome(), audit, log: silentLogger });
  open.push(services);
  if (options.init === true) await services.vault.init(Buffer.from(PASSPHRASE), operator);
  let now = Date.parse('2026-03-01T10:00:00Z');
  const clock = () => new Date(now);
  const advance = (ms: number) => {
    now += ms;
  };
  const created = await services.directory.create(holderInput(1, { email: 'old@example.org', mobile: '+38344123456', language: 'it' }), operator);
  if (!created.ok) throw new Error('holder not saved');
  const outbox = () => [...services.access.storage().records.values<NotificationRequest & { id: string }>(OUTBOX)];
  return { services, audit, clock, advance, holder: created.holder, outbox };
}

describe('ContactService', () => {
  it('changes the email with a code to the old address and one to the new, queues both messages in the change commit, and starts a 6-day cooldown', async () => {
    const { services, audit, clock, advance, holder, outbox } = await setup();
    const codes = new FakeCodes();
    const queue = new FakeQueue();
    const contact = new ContactService({ directory: services.directory, codes, queue, secondFactor: noFactor, audit, clock });
    const op = holderOp(holder.id);

    expect(contact.view(holder.id)).toMatchObject({ email: 'old@example.org', emailVerified: false, cooldownUntil: null });
    const begun = await contact.beginChange(holder.id, 'email', ' New@Example.org ', op);
    expect(begun).toMatchObject({ ok: true, oldSentTo: 'o•••@example.org', newSentTo: 'n•••@example.org' });
    expect(codes.sent.map((s) => [s.purpose, s.to])).toEqual([
      ['contactChangeNew', 'new@example.org'],
      ['contactChangeOld', 'old@example.org'],
    ]);

    // A wrong old code is refused and changes nothing.
    const wrong = await contact.confirmChange(holder.id, 'email', { oldCode: '000000', newCode: codes.codeFor('contactChangeNew'), secondFactorCode: '' }, op);
    expect(wrong).toMatchObject({ ok: false, reason: 'wrongCode', code: 'old' });
    expect(services.directory.get(holder.id).email).toBe('old@example.org');
    expect(outbox()).toEqual([]);

    const done = await contact.confirmChange(holder.id, 'email', { oldCode: codes.codeFor('contactChangeOld'), newCode: codes.codeFor('contactChangeNew'), secondFactorCode: '' }, op);
    expect(done).toMatchObject({ ok: true, contact: { email: 'new@example.org', emailVerified: true } });
    const changed = services.directory.get(holder.id);
    expect(changed.contactCooldownUntil).toBe(new Date(clock().getTime() + CONTACT_COOLDOWN_MS).toISOString());
    expect(outbox().map((m) => [m.kind, m.to, m.language]).sort()).toEqual([
      ['contactChanged', 'new@example.org', 'it'],
      ['contactChangedOld', 'old@example.org', 'it'],
    ]);
    expect(queue.wakes).toBe(1);
    const event = audit.events.find((e) => e.action === 'account.contactChange' && e.outcome === 'success' && e.details?.['stage'] === undefined);
    expect(event).toMatchObject({ holderId: holder.id, details: { field: 'email', verified: true } });
    // No code in the audit trail.
    expect(JSON.stringify(audit.events)).not.toContain(codes.codeFor('contactChangeOld'));

    // The next change of a recovery contact (email or mobile) waits six days; the answer says until when.
    advance(5 * 86_400_000);
    const refused = await contact.beginChange(holder.id, 'mobile', '+38344999888', op);
    expect(refused).toEqual({ ok: false, reason: 'cooldown', until: changed.contactCooldownUntil, code: null });
    advance(86_400_000 - 1);
    expect(await contact.beginChange(holder.id, 'mobile', '+38344999888', op)).toMatchObject({ ok: false, reason: 'cooldown' });
    advance(1);
    expect(await contact.beginChange(holder.id, 'mobile', '+38344999888', op)).toMatchObject({ ok: true, oldSentTo: '•••••••••456' });
  });

  it('asks for the second factor when one is enrolled', async () => {
    const { services, audit, clock, holder } = await setup();
    const codes = new FakeCodes();
    const tried: string[] = [];
    const factor: SecondFactor = { enrolled: () => true, verify: (_h, code) => (tried.push(code), Promise.resolve(code === '123456')) };
    const contact = new ContactService({ directory: services.directory, codes, queue: new FakeQueue(), secondFactor: factor, audit, clock });
    const op = holderOp(holder.id);
    expect(await contact.beginChange(holder.id, 'mobile', '+38344111222', op)).toMatchObject({ ok: true, secondFactor: true });
    const both = { oldCode: codes.codeFor('contactChangeOld'), newCode: codes.codeFor('contactChangeNew') };
    expect(await contact.confirmChange(holder.id, 'mobile', { ...both, secondFactorCode: '999999' }, op)).toMatchObject({ ok: false, reason: 'secondFactor' });
    expect(await contact.confirmChange(holder.id, 'mobile', { ...both, secondFactorCode: '123456' }, op)).toMatchObject({ ok: true, contact: { mobile: '+38344111222', mobileVerified: true } });
    expect(tried).toEqual(['999999', '123456']);
  });

  it('verifies the address on record with one code to it', async () => {
    const { services, audit, clock, holder } = await setup();
    const codes = new FakeCodes();
    const contact = new ContactService({ directory: services.directory, codes, queue: new FakeQueue(), secondFactor: noFactor, audit, clock });
    const op = holderOp(holder.id);
    expect(await contact.beginVerify(holder.id, 'email', op)).toMatchObject({ ok: true, newSentTo: 'o•••@example.org' });
    expect(codes.sent).toMatchObject([{ purpose: 'contactVerify', to: 'old@example.org' }]);
    expect(await contact.confirmVerify(holder.id, 'email', '111111', op)).toMatchObject({ ok: false, reason: 'wrongCode' });
    expect(await contact.confirmVerify(holder.id, 'email', codes.codeFor('contactVerify'), op)).toMatchObject({ ok: true, contact: { emailVerified: true, mobileVerified: false, cooldownUntil: null } });
    expect(await contact.beginVerify(holder.id, 'email', op)).toMatchObject({ ok: false, reason: 'alreadyVerified' });
  });

  it('lets an operator change contact data with a reason (recorded), unverified, starting the cooldown', async () => {
    const { services, audit, clock, holder, outbox } = await setup();
    const codes = new FakeCodes();
    const contact = new ContactService({ directory: services.directory, codes, queue: new FakeQueue(), secondFactor: noFactor, audit, clock });
    await expect(contact.operatorChange(holder.id, 'email', 'desk@example.org', ' ', operator)).rejects.toMatchObject({ code: 'MALFORMED_INPUT' });
    const view = await contact.operatorChange(holder.id, 'email', 'desk@example.org', 'holder called the helpdesk', operator);
    expect(view).toMatchObject({ email: 'desk@example.org', emailVerified: false, cooldownUntil: new Date(clock().getTime() + CONTACT_COOLDOWN_MS).toISOString() });
    expect(codes.sent).toEqual([]);
    expect(audit.events.at(-1)).toMatchObject({ action: 'account.contactChange', reason: 'holder called the helpdesk', actor: { kind: 'operator' }, holderId: holder.id });
    expect(outbox().map((m) => m.kind).sort()).toEqual(['contactChanged', 'contactChangedOld']);
    // The holder's own change is now refused until the cooldown ends.
    expect(await contact.beginChange(holder.id, 'email', 'again@example.org', holderOp(holder.id))).toMatchObject({ ok: false, reason: 'cooldown' });
  });
});

describe('LostInfoService', () => {
  function lostInfo(s: Awaited<ReturnType<typeof setup>>, extra: { rule?: 'holder' | 'contactPerson' } = {}) {
    const codes = new FakeCodes();
    const queue = new FakeQueue();
    const issued: string[] = [];
    const letters: string[] = [];
    const recoveryCodes: RecoveryCodeIssuer = { issue: (holderId) => (issued.push(holderId), Promise.resolve()) };
    let now = 0;
    const service = new LostInfoService({
      directory: s.services.directory,
      commit: (changes, event) => new ChangeRecorder(s.services.access, s.audit).commit(changes, event),
      codes,
      queue,
      recoveryCodes,
      audit: s.audit,
      userNumberRule: () => extra.rule ?? 'holder',
      userNumberLetter: (holder) => (letters.push(holder.id), Promise.resolve()),
      limits: { perSource: 4, perPersonalNumber: 3, windowMs: 60_000 },
      minAnswerMs: 0,
      now: () => now,
    });
    return { service, codes, issued, letters, advance: (ms: number) => (now += ms) };
  }
  const kiosk: OperationContext = { actor: { kind: 'system', id: 'kiosk' }, channel: 'kiosk' };

  it('answers the same whether or not the person exists, and sends a code only when both match', async () => {
    const s = await setup();
    const { service, codes } = lostInfo(s);
    const match = await service.begin('w1', personalNumber(1), 'OLD@example.org', kiosk);
    const wrongEmail = await service.begin('w2', personalNumber(1), 'other@example.org', kiosk);
    const nobody = await service.begin('w3', personalNumber(2), 'old@example.org', kiosk);
    for (const answer of [match, wrongEmail, nobody]) expect(Object.keys(answer).sort()).toEqual(['flow', 'ok']);
    expect([match.ok, wrongEmail.ok, nobody.ok]).toEqual([true, true, true]);
    expect(codes.sent).toMatchObject([{ purpose: 'lostInfo', to: 'old@example.org', holderId: s.holder.id }]);
    // A flow that matched nothing answers a code like a wrong code.
    if (!nobody.ok || !match.ok) throw new Error('unexpected');
    expect(await service.complete('w3', nobody.flow, '123456', 'userNumber', kiosk)).toEqual({ ok: false, reason: 'wrongCode' });
    // Another window cannot use the flow.
    expect(await service.complete('w2', match.flow, codes.codeFor('lostInfo'), 'userNumber', kiosk)).toEqual({ ok: false, reason: 'wrongCode' });
    // Every attempt recorded; the holder named only where there is one.
    const begins = s.audit.events.filter((e) => e.action === 'account.lostInfo' && e.details?.['stage'] === 'begin');
    expect(begins.map((e) => [e.outcome, e.holderId ?? null])).toEqual([
      ['success', s.holder.id],
      ['failure', null],
      ['failure', null],
    ]);
  });

  it('re-sends the user number to the holder by email, or issues a new recovery code', async () => {
    const s = await setup();
    const { service, codes, issued } = lostInfo(s);
    const first = await service.begin('w1', personalNumber(1), 'old@example.org', kiosk);
    if (!first.ok) throw new Error('refused');
    expect(await service.complete('w1', first.flow, codes.codeFor('lostInfo'), 'userNumber', kiosk)).toEqual({ ok: true, choice: 'userNumber' });
    expect(s.outbox()).toMatchObject([{ kind: 'userNumber', to: 'old@example.org', params: { userNumber: s.holder.userNumber } }]);
    // A used code does not work twice.
    expect(await service.complete('w1', first.flow, codes.codeFor('lostInfo'), 'recoveryCode', kiosk)).toMatchObject({ ok: false });
    const second = await service.begin('w1', personalNumber(1), 'old@example.org', kiosk);
    if (!second.ok) throw new Error('refused');
    expect(await service.complete('w1', second.flow, codes.codeFor('lostInfo'), 'recoveryCode', kiosk)).toEqual({ ok: true, choice: 'recoveryCode' });
    expect(issued).toEqual([s.holder.id]);
  });

  it('sends the user number to the contact person when the policy says so and there is one', async () => {
    const s = await setup();
    const updated = await s.services.directory.update(s.holder.id, 1, holderInput(1, { email: 'old@example.org', contactPerson: 'Mario Rossi' }), operator);
    expect(updated.ok).toBe(true);
    const { service, codes, letters } = lostInfo(s, { rule: 'contactPerson' });
    const flow = await service.begin('w1', personalNumber(1), 'old@example.org', kiosk);
    if (!flow.ok) throw new Error('refused');
    expect(await service.complete('w1', flow.flow, codes.codeFor('lostInfo'), 'userNumber', kiosk)).toEqual({ ok: true, choice: 'userNumber' });
    expect(letters).toEqual([s.holder.id]);
    expect(s.outbox()).toEqual([]);
  });

  it('limits attempts per window and per personal number, recorded as such', async () => {
    const s = await setup();
    const { service, advance } = lostInfo(s);
    // Per personal number: 3 in the window, from any window.
    for (const source of ['a', 'b', 'c']) expect(await service.begin(source, personalNumber(1), 'x@example.org', kiosk)).toMatchObject({ ok: true });
    expect(await service.begin('d', personalNumber(1), 'old@example.org', kiosk)).toEqual({ ok: false, reason: 'tooManyAttempts' });
    // Per window: 4 in the window, whatever number.
    for (let n = 10; n < 13; n += 1) expect(await service.begin('e', personalNumber(n), 'x@example.org', kiosk)).toMatchObject({ ok: true });
    expect(await service.begin('e', personalNumber(13), 'x@example.org', kiosk)).toMatchObject({ ok: true });
    expect(await service.begin('e', personalNumber(14), 'x@example.org', kiosk)).toEqual({ ok: false, reason: 'tooManyAttempts' });
    expect(s.audit.events.filter((e) => e.reason === 'tooManyAttempts')).toHaveLength(2);
    advance(60_000);
    expect(await service.begin('e', personalNumber(1), 'old@example.org', kiosk)).toMatchObject({ ok: true });
  });
});

describe('DocumentService', () => {
  const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(100, 0x20)]);
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
  const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16]);

  it('decides the scan type by its magic bytes only', () => {
    expect(scanTypeOf(pdf)).toBe('application/pdf');
    expect(scanTypeOf(png)).toBe('image/png');
    expect(scanTypeOf(jpeg)).toBe('image/jpeg');
    expect(scanTypeOf(Buffer.from('GIF89a'))).toBeNull();
    expect(scanTypeOf(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeNull();
    expect(scanTypeOf(Buffer.from([0x89, 0x50]))).toBeNull();
  });

  it('keeps a submission pending, sealed, until an operator approves it; then the holder document changes', async () => {
    const s = await setup({ init: true });
    const documents = new DocumentService({ access: s.services.access, keyring: s.services.keyring, directory: s.services.directory, audit: s.audit, clock: s.clock });
    expect(documents.view(s.holder.id)).toMatchObject({ documentNumber: '', documentExpiry: null, pending: null });

    expect(await documents.submit(s.holder.id, { documentNumber: 'X1', documentExpiry: '2031-02-30', scan: pdf }, holderOp(s.holder.id))).toEqual({ ok: false, reason: 'invalidExpiry' });
    expect(await documents.submit(s.holder.id, { documentNumber: 'AB1234567', documentExpiry: '2031-01-31', scan: Buffer.from('GIF89a....') }, holderOp(s.holder.id))).toEqual({ ok: false, reason: 'scanType' });
    expect(await documents.submit(s.holder.id, { documentNumber: 'AB1234567', documentExpiry: '2031-01-31', scan: Buffer.concat([pdf, Buffer.alloc(5 * 1024 * 1024)]) }, holderOp(s.holder.id))).toEqual({ ok: false, reason: 'scanTooLarge' });

    const submitted = await documents.submit(s.holder.id, { documentNumber: 'ab 1234567', documentExpiry: '2031-01-31', scan: pdf }, holderOp(s.holder.id));
    if (!submitted.ok) throw new Error(submitted.reason);
    const pending = submitted.document.pending;
    expect(pending).toMatchObject({ documentNumber: 'AB1234567', documentExpiry: '2031-01-31', scanType: 'application/pdf', state: 'pending', submittedBy: 'holder' });
    // Not yet in effect; the stored record holds no plain scan.
    expect(s.services.directory.get(s.holder.id).documentNumber).toBe('');
    const stored = JSON.stringify(s.services.access.storage().records.get(DOCUMENT_SUBMISSIONS, pending?.id ?? ''));
    expect(stored).not.toContain(pdf.toString('base64').slice(0, 12));
    expect(stored).not.toContain('%PDF');

    const scan = await documents.scan(pending?.id ?? '', operator);
    expect(Buffer.from(scan.base64, 'base64').equals(pdf)).toBe(true);
    expect(scan.mediaType).toBe('application/pdf');

    const approved = await documents.approve(pending?.id ?? '', operator);
    expect(approved).toMatchObject({ documentNumber: 'AB1234567', documentExpiry: '2031-01-31', expiresSoon: false, pending: null, last: { state: 'approved' } });
    expect(s.services.directory.get(s.holder.id)).toMatchObject({ documentNumber: 'AB1234567', documentExpiry: '2031-01-31' });
    await expect(documents.approve(pending?.id ?? '', operator)).rejects.toMatchObject({ code: 'INVALID_STATE' });
    expect(s.audit.events.filter((e) => e.action.startsWith('account.document') && e.outcome === 'success').map((e) => [e.action, e.actor.kind])).toEqual([
      ['account.documentSubmit', 'holder'],
      ['account.documentView', 'operator'],
      ['account.documentApprove', 'operator'],
    ]);
  });

  it('rejects with a reason, leaving the holder document as it was, and warns from 60 days before expiry', async () => {
    const s = await setup({ init: true });
    const documents = new DocumentService({ access: s.services.access, keyring: s.services.keyring, directory: s.services.directory, audit: s.audit, clock: s.clock });
    // 2026-03-01 now: 2026-04-30 is 60 days away (warned), 2026-05-01 is 61 (not).
    const first = await documents.submit(s.holder.id, { documentNumber: 'AB7654321', documentExpiry: '2026-05-01', scan: png }, operator);
    if (!first.ok || first.document.pending === null) throw new Error('refused');
    expect(first.document.pending.submittedBy).toBe('operator');
    await expect(documents.reject(first.document.pending.id, '', operator)).rejects.toMatchObject({ code: 'MALFORMED_INPUT' });
    const rejected = await documents.reject(first.document.pending.id, 'scan unreadable', operator);
    expect(rejected).toMatchObject({ documentNumber: '', pending: null, last: { state: 'rejected', reason: 'scan unreadable' } });
    expect(s.audit.events.at(-1)).toMatchObject({ action: 'account.documentReject', reason: 'scan unreadable' });

    const second = await documents.submit(s.holder.id, { documentNumber: 'AB7654321', documentExpiry: '2026-05-01', scan: jpeg }, operator);
    if (!second.ok || second.document.pending === null) throw new Error('refused');
    expect((await documents.approve(second.document.pending.id, operator)).expiresSoon).toBe(false);
    const third = await documents.submit(s.holder.id, { documentNumber: 'AB7654322', documentExpiry: '2026-04-30', scan: jpeg }, operator);
    if (!third.ok || third.document.pending === null) throw new Error('refused');
    expect((await documents.approve(third.document.pending.id, operator)).expiresSoon).toBe(true);
  });
});
