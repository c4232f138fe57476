/**
 * The outbox, the backoff, the texts and the life-cycle follower over a real record store and
 * the real holder directory (a temporary vault folder). Sending over real SMTP and HTTP is in
 * test/integration/notifications-smtp.test.ts; here the transport is a recorder that can fail.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { holderInput, operator, tempHome } from '../../../test/support/vault-fixtures';
import { notificationKinds, type NotificationKind } from '../account/account-ports';
import { MemoryAuditTrail } from '../audit/audit-trail';
import { HolderDirectory } from '../directory/holder-directory';
import { silentLogger } from '../log/logger';
import { VaultKeyring } from '../vault/keyring';
import { VaultAccess } from '../vault/vault-access';
import { BACKOFF, backoffMs, givenUp } from './backoff';
import { expiryThreshold, lifecycleFollower, sweepExpiry } from './lifecycle-follower';
import { notificationTexts, renderMessage } from './notification-texts';
import { NotifySettingsStore } from './notify-settings';
import { NOTIFICATIONS, NotificationOutbox } from './outbox';
import { NotificationSender } from './sender';
import { SendError, type Transports } from './transports';

const languages = ['en', 'sq', 'it', 'nl'] as const;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

function rig(now = { t: Date.parse('2026-12-01T10:00:00Z') }) {
  const dir = tempHome('carddesk-notify-');
  const access = new VaultAccess(dir);
  closers.push(() => access.close());
  const keyring = new VaultKeyring({ idleMinutes: 15 });
  keyring.unlock(randomBytes(32));
  const audit = new MemoryAuditTrail();
  const clock = () => new Date(now.t);
  const outbox = new NotificationOutbox({ access, keyring, audit, clock, maxAttempts: 4 });
  const settings = new NotifySettingsStore(access, keyring, audit);
  const directory = new HolderDirectory(access, audit, clock);
  return { dir, access, keyring, audit, outbox, settings, directory, now };
}

function recordingTransports(fail: () => SendError | null) {
  const sent: { to: string; subject: string; text: string; messageId: string; channel: string }[] = [];
  const transports: Transports = {
    email: (_config, message) => {
      const error = fail();
      if (error !== null) return Promise.reject(error);
      sent.push({ ...message, channel: 'email' });
      return Promise.resolve('250 ok');
    },
    sms: (_gateway, to, text) => {
      const error = fail();
      if (error !== null) return Promise.reject(error);
      sent.push({ to, subject: '', text, messageId: '', channel: 'sms' });
      return Promise.resolve('200');
    },
  };
  return { sent, transports };
}

const smtp = { host: '127.0.0.1', port: 2525, security: 'none' as const, user: 'desk', password: 'smtp-Secret-42', fromAddress: 'desk@example.org', fromName: 'Card desk' };

describe('backoff', () => {
  it('starts at 30 s, doubles, stops at an hour, and gives up after the last try', () => {
    expect([1, 2, 3, 4].map((n) => backoffMs(n))).toEqual([30_000, 60_000, 120_000, 240_000]);
    expect(backoffMs(8)).toBe(BACKOFF.maxMs);
    expect(backoffMs(500)).toBe(BACKOFF.maxMs);
    const waits = Array.from({ length: 20 }, (_, i) => backoffMs(i + 1));
    for (let i = 1; i < waits.length; i += 1) expect(waits[i]!).toBeGreaterThanOrEqual(waits[i - 1]!);
    expect(givenUp(BACKOFF.maxAttempts - 1)).toBe(false);
    expect(givenUp(BACKOFF.maxAttempts)).toBe(true);
  });
});

describe('message texts', () => {
  const secrets = { pin: '739154', puk: '58203917', erc: 'K7Q2-9ZXM-44TR-HP3W' };
  it('every kind has a subject and a body in every language, each language its own words', () => {
    for (const kind of notificationKinds) {
      const subjects = new Set<string>();
      for (const language of languages) {
        const message = renderMessage(kind, language, { name: 'Ana Berisha', serial: 'CD-0001', date: '2027-01-30', days: '14', address: 'a***@example.org', userNumber: '12345678901234', ...(kind === 'oneTimeCode' ? { code: '482913' } : {}) });
        expect(message.subject.length, `${kind}/${language}`).toBeGreaterThan(5);
        expect(message.text).toContain('Ana Berisha');
        expect(message.text).not.toMatch(/undefined|\{\{/);
        subjects.add(message.subject);
      }
      expect(subjects.size, kind).toBe(languages.length);
    }
    expect(Object.keys(notificationTexts).sort()).toEqual([...languages].sort());
  });

  it('the outbox refuses a PIN, PUK or recovery code, and a code outside a one-time-code message', () => {
    const { outbox } = rig();
    const base = { holderId: 'h', channel: 'email' as const, to: 'a@example.org', language: 'en' as const };
    for (const name of ['pin', 'PUK', 'erc', 'recoveryCode', 'password']) expect(() => outbox.queued({ ...base, kind: 'pinReset', params: { [name]: '1234' } })).toThrow();
    expect(() => outbox.queued({ ...base, kind: 'pinReset', params: { code: '123456' } })).toThrow();
    expect(() => outbox.queued({ ...base, kind: 'oneTimeCode', params: {} })).toThrow();
  });

  it('greets the holder by name whichever service queued the message; a name the caller gave wins', () => {
    const { access, keyring, audit } = rig();
    const outbox = new NotificationOutbox({ access, keyring, audit, nameOf: (id) => (id === 'h1' ? 'Lotte Verloren' : null) });
    const base = { channel: 'email' as const, to: 'a@example.org', language: 'nl' as const, kind: 'userNumber' as const };
    const params = (change: ReturnType<typeof outbox.queued>) => (change.record as unknown as { params: Record<string, string> }).params;
    expect(params(outbox.queued({ ...base, holderId: 'h1', params: { userNumber: '123' } }))).toEqual({ userNumber: '123', name: 'Lotte Verloren' });
    expect(params(outbox.queued({ ...base, holderId: 'h1', params: { userNumber: '123', name: 'L. Verloren' } }))['name']).toBe('L. Verloren');
    expect(params(outbox.queued({ ...base, holderId: 'unknown', params: { userNumber: '123' } }))).toEqual({ userNumber: '123' });
    expect(params(outbox.queued({ ...base, holderId: null, params: { userNumber: '123' } }))).toEqual({ userNumber: '123' });
  });

  it('a rendered message never holds a secret it was not meant to carry, whatever the params', () => {
    for (const kind of notificationKinds) {
      for (const language of languages) {
        // Everything the texts read, plus secrets under names no text reads.
        const text = JSON.stringify(renderMessage(kind, language, { name: 'N', serial: 'S', ...secrets, recoveryCode: secrets.erc }));
        for (const secret of Object.values(secrets)) expect(text, `${kind}/${language}`).not.toContain(secret);
      }
    }
  });

  it('a one-time code is sealed at rest: never in the vault files in clear, and its message carries it', async () => {
    const { outbox, access, dir } = rig();
    const change = outbox.queued({ kind: 'oneTimeCode', holderId: 'h', channel: 'email', to: 'a@example.org', language: 'it', params: { code: '482913', minutes: '10' } });
    await access.storage().records.commit([change]);
    const files = readdirSync(join(dir, 'vault', 'records')).map((name) => readFileSync(join(dir, 'vault', 'records', name), 'utf8')).join('');
    expect(files).toContain(change.id);
    expect(files).not.toContain('482913');
    const record = outbox.get(change.id)!;
    expect(record.params).not.toHaveProperty('code');
    expect(outbox.render(record).text).toContain('482913');
    expect(outbox.render(record).subject).toBe(notificationTexts.it.kinds.oneTimeCode.subject);
    // Sealed for this message: moved to another id it does not open.
    const moved = { ...record, id: 'other' };
    expect(() => outbox.render(moved)).toThrow();
  });
});

describe('the outbox and its sender', () => {
  it('keeps the Message-ID made at queue time on every try, retries with backoff, and gives up after the last try (audited)', async () => {
    const r = rig();
    await r.settings.set({ smtp }, operator);
    let failing = true;
    const { sent, transports } = recordingTransports(() => (failing ? new SendError('unreachable', 'connect ECONNREFUSED') : null));
    const sender = new NotificationSender({ outbox: r.outbox, settings: r.settings, audit: r.audit, log: silentLogger, ready: () => true, transports });
    const change = r.outbox.queued({ kind: 'test', holderId: null, channel: 'email', to: 'x@example.org', language: 'nl', params: {} });
    await r.access.storage().records.commit([change]);
    const messageId = r.outbox.get(change.id)!.messageId;
    expect(messageId).toMatch(/^<[0-9a-f-]{36}@carddesk\.local>$/);

    expect(await sender.drain()).toMatchObject({ retried: 1, sent: 0 });
    const once = r.outbox.get(change.id)!;
    expect(once).toMatchObject({ state: 'queued', attempts: 1, messageId });
    expect(Date.parse(once.nextAttemptAt) - r.now.t).toBe(30_000);
    // Not due yet: nothing tried.
    expect(await sender.drain()).toMatchObject({ retried: 0, sent: 0 });
    r.now.t += 30_000;
    await sender.drain();
    expect(Date.parse(r.outbox.get(change.id)!.nextAttemptAt) - r.now.t).toBe(60_000);
    r.now.t += 60_000;
    await sender.drain();
    r.now.t += 120_000;
    expect(await sender.drain()).toMatchObject({ failed: 1 });
    expect(r.outbox.get(change.id)).toMatchObject({ state: 'failed', attempts: 4, lastError: expect.stringContaining('ECONNREFUSED') });
    const gaveUp = r.audit.events.find((event) => event.action === 'notify.send');
    expect(gaveUp).toMatchObject({ outcome: 'failure', details: { message: change.id, attempts: 4 } });
    expect(r.outbox.list({ failed: true }).map((m) => m.id)).toEqual([change.id]);

    // Retried by an operator: sent, with the same Message-ID.
    failing = false;
    await r.outbox.retry(change.id, operator);
    expect(r.audit.events.some((event) => event.action === 'notify.retry')).toBe(true);
    expect(await sender.drain()).toMatchObject({ sent: 1 });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.messageId).toBe(messageId);
    expect(sent[0]!.subject).toBe(notificationTexts.nl.kinds.test.subject);
    expect(r.outbox.get(change.id)).toMatchObject({ state: 'sent', lastError: null });
    expect(r.outbox.counts()).toEqual({ queued: 0, sent: 1, failed: 0 });
  });

  it('a waiting message is tried again at once on request, or when its channel’s settings are saved; a sent one never again', async () => {
    const r = rig();
    await r.settings.set({ smtp }, operator);
    let failing = true;
    const { sent, transports } = recordingTransports(() => (failing ? new SendError('unreachable', 'connect ECONNREFUSED') : null));
    const sender = new NotificationSender({ outbox: r.outbox, settings: r.settings, audit: r.audit, log: silentLogger, ready: () => true, transports });
    const queue = async (to: string, channel: 'email' | 'sms' = 'email') => {
      const change = r.outbox.queued({ kind: 'test', holderId: null, channel, to, language: 'en', params: {} });
      await r.access.storage().records.commit([change]);
      return change.id;
    };
    const a = await queue('a@example.org');
    const b = await queue('b@example.org');
    const text = await queue('+31600000000', 'sms');
    await sender.drain();
    expect(r.outbox.get(a)).toMatchObject({ state: 'queued', attempts: 1 });
    expect(Date.parse(r.outbox.get(a)!.nextAttemptAt)).toBeGreaterThan(r.now.t);
    // "Try again" on a waiting message: due now, its count kept.
    await r.outbox.retry(a, operator);
    expect(r.outbox.get(a)).toMatchObject({ state: 'queued', attempts: 1, nextAttemptAt: new Date(r.now.t).toISOString() });
    // The SMTP settings saved again: every waiting email is due now (the SMS is not); audited once.
    const before = r.audit.events.length;
    const smsRecord = r.outbox.get(text);
    expect(await r.outbox.dueNowAfterSettings('email', operator)).toBe(1);
    expect(r.audit.events.slice(before).map((event) => [event.action, event.details?.['messages']])).toEqual([['notify.retry', 1]]);
    expect(r.outbox.get(b)!.nextAttemptAt).toBe(new Date(r.now.t).toISOString());
    expect(r.outbox.get(text)).toEqual(smsRecord);
    failing = false;
    expect(await sender.drain()).toMatchObject({ sent: 2 });
    expect(sent.map((m) => m.to).sort()).toEqual(['a@example.org', 'b@example.org']);
    await expect(r.outbox.retry(a, operator)).rejects.toMatchObject({ code: 'INVALID_STATE' });
    expect(await r.outbox.dueNowAfterSettings('email', operator)).toBe(0);
  });

  it('leaves messages queued while their channel has no settings, and never shows the SMTP password', async () => {
    const r = rig();
    const { sent, transports } = recordingTransports(() => null);
    const sender = new NotificationSender({ outbox: r.outbox, settings: r.settings, audit: r.audit, log: silentLogger, ready: () => true, transports });
    await r.access.storage().records.commit([r.outbox.queued({ kind: 'test', holderId: null, channel: 'sms', to: '+38344000111', language: 'sq', params: {} })]);
    expect(await sender.drain()).toMatchObject({ waiting: 1, sent: 0 });
    expect(r.outbox.counts().queued).toBe(1);
    await r.settings.set({ smtp, sms: { url: 'http://127.0.0.1:9/send', method: 'POST', template: '{"to":"{{to}}","text":"{{text}}"}' } }, operator);
    expect(JSON.stringify(r.settings.view())).not.toContain(smtp.password);
    expect(r.settings.view().smtp?.passwordSet).toBe(true);
    expect(JSON.stringify(r.audit.events)).not.toContain(smtp.password);
    expect(r.settings.smtp()?.password).toBe(smtp.password);
    expect(await sender.drain()).toMatchObject({ sent: 1 });
    expect(sent[0]!.text.startsWith(notificationTexts.sq.kinds.test.subject)).toBe(true);
    // Keeping the password when it is not given again; removing it with ''.
    await r.settings.set({ smtp: { ...smtp, password: undefined, host: 'mail.example.org' } }, operator);
    expect(r.settings.smtp()).toMatchObject({ host: 'mail.example.org', password: smtp.password });
    await r.settings.set({ smtp: { ...smtp, password: '' } }, operator);
    expect(r.settings.smtp()?.password).toBeNull();
  });
});

describe('life-cycle messages', () => {
  it('are queued in the same journal line as the card change they report, in the holder’s language', async () => {
    const r = rig();
    const woken: number[] = [];
    r.outbox.onWake(() => woken.push(1));
    r.access.followChanges(lifecycleFollower(r.outbox, (id) => r.directory.index().get(id) ?? null, () => r.outbox.wake()));
    const created = await r.directory.create(holderInput(1, { language: 'it', email: 'ana@example.org' }), operator);
    const noContact = await r.directory.create(holderInput(2, { email: '', mobile: '' }), operator);
    if (!created.ok || !noContact.ok) throw new Error('holders not created');
    const holderId = created.holder.id;
    await r.directory.registerCard('CD-0001', holderId, operator);
    await r.directory.registerCard('CD-0002', noContact.holder.id, operator);
    const steps = ['personalisationIncomplete', 'awaitingActivation', 'active', 'suspended', 'active', 'revoked'] as const;
    for (const to of steps) {
      await r.directory.changeCardState('CD-0001', to, operator);
      await r.directory.changeCardState('CD-0002', to, operator);
    }
    const kinds = r.outbox.list().map((m) => m.kind).sort();
    const expected: NotificationKind[] = ['cardIssued', 'cardActivated', 'cardSuspended', 'suspensionEnded', 'cardRevoked'];
    expect(kinds).toEqual([...expected].sort());
    for (const message of r.outbox.list()) expect(message).toMatchObject({ holderId, to: 'ana@example.org', language: 'it', channel: 'email', params: { serial: 'CD-0001' } });
    expect(woken.length).toBeGreaterThanOrEqual(5);

    // Each in the very line of its change: the journal line holding the message holds the card change and its event.
    const journal = readdirSync(join(r.dir, 'vault', 'records')).filter((name) => name.startsWith('journal-'));
    const lines = journal.flatMap((name) => readFileSync(join(r.dir, 'vault', 'records', name), 'utf8').split('\n').filter(Boolean));
    const withMessage = lines.map((line) => JSON.parse(line.slice(17)) as { c: [string, string, { kind?: string } | null][]; e?: { event: { action: string } }[] }).filter((entry) => entry.c.some(([c]) => c === NOTIFICATIONS));
    expect(withMessage).toHaveLength(5);
    for (const entry of withMessage) {
      expect(entry.c.some(([c, id]) => c === 'cards' && id === 'CD-0001')).toBe(true);
      expect(entry.e?.[0]?.event.action).toMatch(/^card\./);
    }
  });

  it('expiry warnings: one per card and threshold, the tightest reached, never twice', async () => {
    const r = rig();
    const created = await r.directory.create(holderInput(3, { language: 'nl' }), operator);
    if (!created.ok) throw new Error('no holder');
    const holder = (id: string) => r.directory.index().get(id) ?? null;
    const notAfter = new Date(r.now.t + 45 * 86_400_000).toISOString();
    const certificate = (serial: string) => ({ serial, subject: 'CN=x', profile: 'signature' as const, status: 'valid' as const, notBefore: '2025-01-01T00:00:00Z', notAfter, holderId: created.holder.id, holderName: null, cardSerial: 'CD-9', revokedAt: null, reason: null, holdUntil: null, afterHold: null });
    const sweep = () => sweepExpiry({ outbox: r.outbox, expiring: () => [certificate('0A'), certificate('0B')], holder, commit: (changes) => r.access.storage().records.commit(changes), now: new Date(r.now.t) });
    expect(await sweep()).toBe(1);
    expect(await sweep()).toBe(0);
    r.now.t += 20 * 86_400_000; // 25 days left: the 30-day warning
    expect(await sweep()).toBe(1);
    r.now.t += 20 * 86_400_000; // 5 days left: only the 7-day one (14 was missed while off)
    expect(await sweep()).toBe(1);
    expect(await sweep()).toBe(0);
    expect(r.outbox.list().map((m) => m.id).sort()).toEqual(['expiry:CD-9:30', 'expiry:CD-9:60', 'expiry:CD-9:7']);
    expect(r.outbox.get('expiry:CD-9:7')).toMatchObject({ kind: 'certificateExpiring', language: 'nl', params: { days: '5' } });
    expect([61, 60, 31, 30, 15, 14, 8, 7, 0].map(expiryThreshold)).toEqual([null, 60, 60, 30, 30, 14, 14, 7, 7]);
  });
});

describe('notification services over vault services', () => {
  it('register the follower once, and queue a PIN reset recorded without a vault change', async () => {
    const { createVaultServices } = await import('../vault/vault-services');
    const { createNotifyServices, notifyServicesFor } = await import('./notify-services');
    const dir = tempHome('carddesk-notify-services-');
    const audit = new MemoryAuditTrail();
    const vault = createVaultServices({ dataDir: dir, audit, log: silentLogger });
    closers.push(() => vault.close());
    const notify = createNotifyServices({ vault, log: silentLogger });
    expect(notifyServicesFor(vault, silentLogger)).toBe(notify);
    expect(() => createNotifyServices({ vault, log: silentLogger })).toThrow();
    const created = await vault.directory.create(holderInput(9, { language: 'sq', email: '', mobile: '+38344111222' }), operator);
    if (!created.ok) throw new Error('no holder');
    await vault.directory.registerCard('CD-0009', created.holder.id, operator);
    await vault.directory.changeCardState('CD-0009', 'personalisationIncomplete', operator);
    await vault.directory.changeCardState('CD-0009', 'active', operator);
    // One follower: one message for the issuance, by SMS (no email), in Albanian.
    expect(notify.outbox.list().map((m) => [m.kind, m.channel, m.to, m.language])).toEqual([['cardIssued', 'sms', '+38344111222', 'sq']]);
    expect(await notify.queueFor({ action: 'card.pinReset', outcome: 'success', holderId: created.holder.id, cardSerial: 'CD-0009', ...operator })).toBe(true);
    expect(await notify.queueFor({ action: 'card.pinReset', outcome: 'failure', holderId: created.holder.id, cardSerial: 'CD-0009', ...operator })).toBe(false);
    expect(await notify.queueFor({ action: 'card.pinVerify', outcome: 'success', holderId: created.holder.id, ...operator })).toBe(false);
    expect(notify.outbox.list().map((m) => m.kind).sort()).toEqual(['cardIssued', 'pinReset']);
  });
});
