import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Holder } from '../../shared/schemas/holders';
import { MemoryAuditTrail } from '../audit/audit-trail';
import { createRequest } from '../ca/certification-request';
import { silentLogger } from '../log/logger';
import { createNotifyServices, type NotifyServices } from '../notify/notify-services';
import { NOTIFICATIONS, type NotificationRecord } from '../notify/outbox';
import { createVaultServices, type VaultServices } from '../vault/vault-services';
import { holderInput, operator, PASSPHRASE, tempHome } from '../../../test/support/vault-fixtures';
import { parseEnrollmentUri } from './enrollment-uri';
import { deliveryId, mobileIdNotices, noticeId, unsentDeliveryFollower } from './mobile-delivery';
import { MOBILE_IDS } from './mobile-id-records';
import { MobileIdService } from './mobile-id-service';

let services: VaultServices;
let notify: NotifyServices;
let mobile: MobileIdService;
let bare: MobileIdService;
const audit = new MemoryAuditTrail();
let holder: Holder;
let noEmail: Holder;
let now = new Date('2026-03-01T10:00:00Z');
const EST = 'https://desk.example:8443/.well-known/est';
const minutes = (n: number) => new Date(now.getTime() + n * 60_000);

const ec = (): KeyObject => generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
const csr = (key: KeyObject = ec()) => createRequest('CN=Phone', key);

const outbox = (): NotificationRecord[] => [...services.access.storage().records.values<NotificationRecord>(NOTIFICATIONS)];
const mobileIdCount = (): number => [...services.access.storage().records.values(MOBILE_IDS)].length;

beforeAll(async () => {
  services = createVaultServices({ dataDir: tempHome(), audit, log: silentLogger, clock: () => now });
  await services.vault.init(Buffer.from(PASSPHRASE), operator);
  await services.ca.init(
    { algorithm: 'p384', rootSubject: 'CN=Delivery Root, C=XK', issuingSubject: 'CN=Delivery Issuing, C=XK', rootValidityYears: 20, issuingValidityYears: 10, publicBaseUrl: 'http://pki.desk.example/' },
    operator,
  );
  const saved = await services.directory.create(holderInput(1, { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.org', language: 'it' }), operator);
  const other = await services.directory.create(holderInput(2, { email: '' }), operator);
  if (!saved.ok || !other.ok) throw new Error('holder not saved');
  holder = saved.holder;
  noEmail = other.holder;
  notify = createNotifyServices({ vault: services, log: silentLogger, clock: () => now });
  const notices = mobileIdNotices({
    outbox: () => notify.outbox,
    holder: (id) => services.directory.index().get(id) ?? null,
    commit: (changes) => services.access.storage().records.commit(changes),
  });
  const base = { access: services.access, audit, directory: services.directory, ca: services.ca, certificates: services.certificates, estUrl: () => EST, clock: () => now };
  mobile = new MobileIdService({ ...base, notices });
  services.access.followChanges(unsentDeliveryFollower(() => notify.outbox));
  bare = new MobileIdService(base);
});

afterAll(() => services.close());

describe('mobile ID delivery by email', () => {
  it('queues the link in the mobile ID’s own commit, sealed, in the holder’s language, and returns only the masked address', async () => {
    const before = outbox().length;
    const auditBefore = audit.events.length;
    const issued = await mobile.issue(holder.id, { delivery: 'email', labels: ['auth'] }, operator);
    expect(issued.sentTo).toBe('a***@example.org');
    const code = parseEnrollmentUri(issued.enrollmentUri).code;
    const queued = outbox().slice(before);
    expect(queued).toHaveLength(1);
    const message = queued[0]!;
    expect(message).toMatchObject({ kind: 'mobileIdEnrollment', channel: 'email', to: 'ada@example.org', language: 'it', state: 'queued', holderId: holder.id });
    // Stored sealed: neither the link nor its code is in the record in clear, nor in any audit event.
    expect(JSON.stringify(message)).not.toContain(code);
    expect(message.sealedCode).not.toBeNull();
    expect(JSON.stringify(audit.events.slice(auditBefore))).not.toContain(code);
    const rendered = notify.outbox.render(message);
    expect(rendered.text).toContain(issued.enrollmentUri);
    expect(rendered.text).toContain('15 minuti');
    expect(rendered.qr).toBe(issued.enrollmentUri);
    expect(rendered.subject).toMatch(/ID mobile/);
  });

  it('refuses a holder without an email address before anything is stored, and a service without notices', async () => {
    const records = mobileIdCount();
    const messages = outbox().length;
    await expect(mobile.issue(noEmail.id, { delivery: 'email' }, operator)).rejects.toMatchObject({ code: 'INVALID_STATE', message: expect.stringMatching(/no registered email/) as unknown });
    await expect(bare.issue(holder.id, { delivery: 'email' }, operator)).rejects.toMatchObject({ code: 'INVALID_STATE' });
    expect(mobileIdCount()).toBe(records);
    expect(outbox().length).toBe(messages);
    // On screen the holder needs no address.
    expect((await mobile.issue(noEmail.id, { delivery: 'screen' }, operator)).sentTo).toBeNull();
  });
});

describe('mobile ID cancelled before its email went out', () => {
  it('takes the unsent email (and its sealed link) with it in the same commit; a sent one stays as history', async () => {
    const issued = await mobile.issue(holder.id, { delivery: 'email' }, operator);
    expect(notify.outbox.get(deliveryId(issued.mobileId.id))?.state).toBe('queued');
    await mobile.cancel(issued.mobileId.id, operator);
    expect(notify.outbox.has(deliveryId(issued.mobileId.id))).toBe(false);
    expect(mobile.record(issued.mobileId.id)).toBeUndefined();

    const sent = await mobile.issue(holder.id, { delivery: 'email' }, operator);
    await notify.outbox.markSent(deliveryId(sent.mobileId.id));
    await mobile.cancel(sent.mobileId.id, operator);
    expect(notify.outbox.get(deliveryId(sent.mobileId.id))).toMatchObject({ state: 'sent', sealedCode: null });
  });
});

describe('mobile ID notices', () => {
  it('tells the holder once when the mobile ID turns active', async () => {
    const issued = await mobile.issue(holder.id, { labels: ['auth', 'sign'], notify: true }, operator);
    const { code } = parseEnrollmentUri(issued.enrollmentUri);
    const id = issued.mobileId.id;
    expect((await mobile.enroll('auth', id, code, csr(), '127.0.0.1')).ok).toBe(true);
    expect(notify.outbox.has(noticeId('active', id))).toBe(false);
    expect((await mobile.enroll('sign', id, code, csr(), '127.0.0.1')).ok).toBe(true);
    const notice = notify.outbox.get(noticeId('active', id));
    expect(notice).toMatchObject({ kind: 'mobileIdActive', to: 'ada@example.org', language: 'it', params: { labels: 'auth, sign' } });
    expect(notify.outbox.render(notice!).text).toContain(issued.mobileId.expiresAt.slice(0, 10));
  });

  it('tells the holder once of refused enrollments (a request that does not fit, an expired code), not of wrong codes', async () => {
    const issued = await mobile.issue(holder.id, { labels: ['auth'], notify: true }, operator);
    const { code } = parseEnrollmentUri(issued.enrollmentUri);
    const id = issued.mobileId.id;
    const refusalsOf = (): NotificationRecord[] => outbox().filter((m) => m.id === noticeId('refused', id));
    // A wrong code tells nothing (whoever tries it is not the holder's phone).
    expect(await mobile.enroll('auth', id, 'A'.repeat(32), csr(), '127.0.0.1')).toMatchObject({ ok: false });
    expect(refusalsOf()).toHaveLength(0);
    // A request the profile refuses (RSA 1024), many times and at once: one message.
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
    const results = await Promise.all(Array.from({ length: 5 }, () => mobile.enroll('auth', id, code, csr(weak), '127.0.0.1')));
    expect(results.every((r) => !r.ok)).toBe(true);
    expect(refusalsOf()).toHaveLength(1);
    expect(refusalsOf()[0]).toMatchObject({ kind: 'mobileIdRefused', to: 'ada@example.org' });
    // The code runs out: still the one message.
    now = minutes(16);
    expect(await mobile.enroll('auth', id, code, csr(), '127.0.0.1')).toMatchObject({ ok: false, refusal: 'unauthorized' });
    expect(refusalsOf()).toHaveLength(1);
  });

  it('an expired code alone is a refusal the holder hears of', async () => {
    const issued = await mobile.issue(holder.id, { labels: ['auth'], notify: true }, operator);
    const { code } = parseEnrollmentUri(issued.enrollmentUri);
    now = minutes(20);
    expect(await mobile.enroll('auth', issued.mobileId.id, code, csr(), '127.0.0.1')).toMatchObject({ ok: false });
    expect(notify.outbox.get(noticeId('refused', issued.mobileId.id))?.kind).toBe('mobileIdRefused');
  });

  it('notify false: no message, whatever happens', async () => {
    const before = outbox().length;
    const issued = await mobile.issue(holder.id, { labels: ['auth'], notify: false }, operator);
    const { code } = parseEnrollmentUri(issued.enrollmentUri);
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
    expect((await mobile.enroll('auth', issued.mobileId.id, code, csr(weak), '127.0.0.1')).ok).toBe(false);
    expect((await mobile.enroll('auth', issued.mobileId.id, code, csr(), '127.0.0.1')).ok).toBe(true);
    expect(mobile.show(issued.mobileId.id).state).toBe('active');
    expect(outbox().length).toBe(before);
  });
});
