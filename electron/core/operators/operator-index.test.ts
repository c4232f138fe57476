/**
 * The operator directory's index (operator-index.ts) on a real vault: with 10,000 certificates in
 * the CA's records, listing the operators and finding one by id read the index, not every
 * certificate; the index follows the record changes, and its watchers are told of them (the end of
 * the bootstrap reaches the renderer without a call).
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryAuditTrail } from '../audit/audit-trail';
import { CERTIFICATES, type CertificateRecord } from '../ca/certificate-records';
import { createRequest } from '../ca/certification-request';
import { toPem } from '../ca/der';
import { silentLogger } from '../log/logger';
import { holderInput, operator, PASSPHRASE, tempHome } from '../../../test/support/vault-fixtures';
import { createVaultServices, type VaultServices } from '../vault/vault-services';
import { ReaderHolds } from '../cards/reader-holds';
import type { AuditLog } from '../audit/audit-log';
import { DeskSettingsStore } from '../settings/desk-settings';
import type { OperatorSessionSummary } from '../../shared/schemas/operators';
import { createOperatorSessions } from './session-wiring';

let services: VaultServices;
const audit = new MemoryAuditTrail();
const home = tempHome();
const holderIds: string[] = [];

const csrPem = () => toPem(createRequest('CN=ignored', generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey), 'CERTIFICATE REQUEST');

/** A certificate record as the CA keeps it (the index reads profile, holder, card, status, dates). */
function filler(n: number, holderId: string): CertificateRecord {
  const serial = n.toString(16).padStart(16, '0').toUpperCase();
  const at = new Date(Date.UTC(2026, 0, 1, 0, 0, n % 60)).toISOString();
  return { id: serial, serial, der: '', subject: `CN=filler ${n}`, profile: n % 10 === 0 ? 'operator' : 'authentication', holderId, cardSerial: `CARD-${n}`, notBefore: at, notAfter: '2036-01-01T00:00:00.000Z', status: n % 10 === 0 ? 'revoked' : 'valid', revokedAt: null, reason: null, holdUntil: null, afterHold: null, statusChangedAt: at, issuedAt: at, renewedFrom: null, renewedBy: null };
}

beforeAll(async () => {
  services = createVaultServices({ dataDir: home, audit, log: silentLogger });
  await services.vault.init(Buffer.from(PASSPHRASE), operator);
  await services.ca.init(
    { algorithm: 'p384', rootSubject: 'CN=Test Root, O=Desk, C=XK', issuingSubject: 'CN=Test Issuing, O=Desk, C=XK', rootValidityYears: 20, issuingValidityYears: 10, publicBaseUrl: 'http://pki.desk.example/' },
    operator,
  );
  for (let n = 1; n <= 20; n += 1) {
    const saved = await services.directory.create(holderInput(n, { firstName: `First${n}`, lastName: `Last${n}` }), operator);
    if (!saved.ok) throw new Error('holder not saved');
    holderIds.push(saved.holder.id);
  }
});

afterAll(() => services.close());

describe('the operator index', () => {
  it('tells its watchers when the first administrator\'s operator card becomes valid, after the change', async () => {
    const ops = services.operators;
    const admin = await ops.add(holderIds[0]!, ['caAdministrator'], operator);
    if (!admin.ok) throw new Error(admin.message);
    expect(ops.bootstrapOver()).toBe(false);
    const seen: boolean[] = [];
    const stop = ops.watch(() => seen.push(ops.bootstrapOver()));
    // The desk's session as the core composes it: the renderer is told (session:changed) when the bootstrap ends.
    const told: OperatorSessionSummary[] = [];
    const sessions = createOperatorSessions({
      holds: new ReaderHolds({ connect: () => Promise.reject(new Error('no reader here')) }),
      vault: services,
      audit: new MemoryAuditTrail() as unknown as AuditLog,
      settings: await new DeskSettingsStore(home).open(),
      emit: (name, payload) => {
        if (name === 'session:changed') told.push(payload as OperatorSessionSummary);
      },
      log: silentLogger,
      osUser: 'deskuser',
      lookup: ops,
    });
    expect(sessions.summary().mode).toBe('bootstrap');
    await services.directory.registerCard('CARD-ADMIN', holderIds[0]!, operator);
    await services.certificates.issue({ profile: 'operator', request: csrPem(), holderId: holderIds[0]!, cardSerial: 'CARD-ADMIN', subject: '' }, operator);
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toContain(true);
    expect(ops.bootstrapOver()).toBe(true);
    expect(told).toEqual([{ mode: 'signedOut', operatorId: null, name: null, roles: [], cardSerial: null }]);
    sessions.close();
    stop();
    const count = seen.length;
    await ops.add(holderIds[1]!, ['auditor'], operator);
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen.length).toBe(count);
  });

  it('lists and finds operators among 10,000 certificates without scanning them at each call', async () => {
    const ops = services.operators;
    for (let n = 2; n < 12; n += 1) {
      const added = await ops.add(holderIds[n]!, ['helpdesk'], operator);
      if (!added.ok) throw new Error(added.message);
    }
    const records = services.access.storage().records;
    const changes = Array.from({ length: 10_000 }, (_, i) => {
      const record = filler(i + 1, holderIds[i % 20]!);
      return { collection: CERTIFICATES, id: record.serial, record };
    });
    for (let i = 0; i < changes.length; i += 1000) await records.commit(changes.slice(i, i + 1000));
    expect(records.size(CERTIFICATES)).toBeGreaterThanOrEqual(10_000);
    const first = ops.list();
    expect(first).toHaveLength(12);
    // Revoked operator certificates are no cards; the admin keeps their one valid card.
    expect(first.find((o) => o.holderId === holderIds[0])?.cards.map((c) => c.cardSerial)).toEqual(['CARD-ADMIN']);
    const ids = first.map((o) => o.id);
    const started = process.hrtime.bigint();
    const calls = 200;
    for (let i = 0; i < calls; i += 1) {
      ops.list();
      ops.byId(ids[i % ids.length]!);
      ops.bootstrapOver();
    }
    const perCallMs = Number(process.hrtime.bigint() - started) / 1e6 / calls;
    // Before the index, list and byId each scanned and sorted every certificate: that scan, timed the same way.
    const scanStarted = process.hrtime.bigint();
    for (let i = 0; i < calls; i += 1) {
      for (let k = 0; k < 2; k += 1) [...records.values<CertificateRecord>(CERTIFICATES)].filter((c) => c.profile === 'operator' && c.cardSerial !== null && c.status !== 'revoked').sort((a, b) => a.issuedAt.localeCompare(b.issuedAt));
    }
    const scanMs = Number(process.hrtime.bigint() - scanStarted) / 1e6 / calls;
    process.stdout.write(`operator directory with 10,000 certificates: ${perCallMs.toFixed(3)} ms per list + byId + bootstrapOver (indexed); ${scanMs.toFixed(3)} ms for the two scans they made before\n`);
    expect(perCallMs).toBeLessThan(2);
    // The index follows a change: an operator certificate on a card now counts as a card.
    const record = { ...filler(20_001, holderIds[2]!), profile: 'operator' as const, status: 'valid' as const, issuedAt: '2026-02-01T00:00:00.000Z' };
    await records.commit([{ collection: CERTIFICATES, id: record.serial, record }]);
    expect(ops.byId(ids.find((id) => ops.byId(id)?.holderId === holderIds[2])!)?.cards.map((c) => c.cardSerial)).toEqual(['CARD-20001']);
  });
});
