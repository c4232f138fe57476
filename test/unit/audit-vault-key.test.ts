/**
 * The audit key lives in the vault (issue 6, point 2): made at `vault init`, sealed under the
 * vault's key, in memory only while unlocked. While the vault is locked the log chains records
 * without signing them; the next unlock signs them all. A log re-signed with another key is
 * still an anchor problem.
 */
import { cpSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AuditLog } from '../../electron/core/audit/audit-log';
import { KeyAuditSigner, keyIdOf } from '../../electron/core/audit/audit-signer';
import { verifyAuditLog } from '../../electron/core/audit/audit-verify';
import { createDeskAuditLog } from '../../electron/core/audit/desk-audit-log';
import { silentLogger } from '../../electron/core/log/logger';
import { AUDIT_KEY_PURPOSE } from '../../electron/core/vault/audit-key';
import { createVaultServices, type VaultServices } from '../../electron/core/vault/vault-services';
import { allLines, rewriteSegment, sampleEvent, segmentFiles } from '../support/audit';
import { operator, PASSPHRASE, tempHome } from '../support/vault-fixtures';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

const secret = (text: string) => Buffer.from(text, 'utf8');

/** A desk: its audit log (no signer of its own) and the vault that gives it the key. */
function desk(home = tempHome()): { home: string; log: AuditLog; services: VaultServices } {
  const log = createDeskAuditLog(home, { log: silentLogger, checkpointEvery: 20 });
  const services = createVaultServices({ dataDir: home, audit: log, log: silentLogger, auditSigning: log });
  cleanups.push(async () => {
    await services.close();
    await log.close();
  });
  return { home, log, services };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

describe('the audit key in the vault', () => {
  it('is made at vault init, sealed: no private key in clear anywhere in the data folder', async () => {
    const { home, log, services } = desk();
    await log.open();
    await services.vault.init(secret(PASSPHRASE), operator);
    await log.record(sampleEvent(1));

    const meta = services.access.storage().meta;
    const stored = meta.auditKey ?? null;
    expect(stored).not.toBeNull();
    if (stored === null) return;
    expect(stored.keyId).toBe(keyIdOf(Buffer.from(stored.publicKey, 'base64')));
    expect(log.signer?.keyId).toBe(stored.keyId);
    expect(log.deskKeyId).toBe(stored.keyId);

    // The PKCS#8 DER and the raw 32-byte Ed25519 private key, in every encoding a file might hold.
    const pkcs8 = services.keyring.open(stored.sealed, AUDIT_KEY_PURPOSE);
    const raw = pkcs8.subarray(pkcs8.length - 32);
    const needles = [Buffer.from('PRIVATE KEY'), pkcs8, raw, Buffer.from(pkcs8.toString('base64')), Buffer.from(raw.toString('hex')), Buffer.from(raw.toString('base64')), Buffer.from(raw.toString('base64url'))];
    const files = filesUnder(home);
    expect(files.some((file) => file.endsWith('vault.json'))).toBe(true);
    expect(files.some((file) => file.endsWith('head.json'))).toBe(true);
    for (const file of files) {
      const bytes = readFileSync(file);
      for (const needle of needles) expect(bytes.includes(needle), `${file} holds the audit key`).toBe(false);
    }
    pkcs8.fill(0);

    const report = await log.verify();
    expect(report).toMatchObject({ intact: true, unsigned: 0, keyIds: [stored.keyId], deskKeyId: stored.keyId, signedThrough: report.lastSeq });
  });

  it('chains events recorded while locked without signing them; the next unlock signs them all', async () => {
    const { home, log, services } = desk();
    await log.open();
    await services.vault.init(secret(PASSPHRASE), operator);
    await log.record(sampleEvent(0));
    await services.vault.lock(operator);
    expect(log.signer).toBeNull();
    expect(services.vault.auditSigner()).toBeNull();

    // A kiosk PIN check, and a CLI process (its own log, never unlocking) record while locked.
    for (let i = 1; i <= 30; i += 1) await log.record(sampleEvent(i));
    const kiosk = createDeskAuditLog(home, { log: silentLogger });
    await kiosk.record(sampleEvent(99));
    await kiosk.close();
    const dir = join(home, 'audit');
    const keyId = services.vault.auditKeyId();
    expect(keyId).not.toBeNull();

    const locked = await verifyAuditLog(dir, { deskKeyId: keyId });
    // vault.lock and the 31 events after the checkpoint signed as the vault locked.
    expect(locked).toMatchObject({ intact: true, problems: [], unsigned: 32, deskKeyId: keyId });
    expect(locked.signedThrough).toBe((locked.lastSeq ?? 0) - 32);
    // Nothing was "repaired": a head that stayed at the last signature is not damage.
    expect(allLines(dir).some((line) => line.text.includes('audit.repair'))).toBe(false);

    // The chain still protects the unsigned records: an edit there is found.
    const copy = tempHome();
    cpSync(dir, copy, { recursive: true });
    const last = segmentFiles(copy).at(-1) ?? '';
    rewriteSegment(copy, last, (lines) => lines.map((line, i) => (i === lines.length - 3 ? line.replace('CardDesk Virtual Reader', 'Another Reader') : line)));
    const edited = await verifyAuditLog(copy, { deskKeyId: keyId });
    expect(edited.intact).toBe(false);
    expect(edited.problems.map((p) => p.kind)).toContain('changed');

    expect(await services.vault.unlock(secret(PASSPHRASE), operator)).toEqual({ ok: true });
    expect(log.signer?.keyId).toBe(keyId);
    const lines = allLines(dir).map((line) => JSON.parse(line.text) as { type: string; action?: string });
    expect(lines.at(-1)?.type).toBe('checkpoint');
    expect(lines.at(-2)?.action).toBe('vault.unlock');
    const unlocked = await log.verify();
    expect(unlocked).toMatchObject({ intact: true, problems: [], unsigned: 0, keyIds: [keyId], deskKeyId: keyId });
    expect(unlocked.signedThrough).toBe(unlocked.lastSeq);
  });

  it('gives a vault made before the audit key one at its first unlock', async () => {
    const { log, services } = desk();
    await log.open();
    await services.vault.init(secret(PASSPHRASE), operator);
    await services.vault.lock(operator);
    // Such a vault has neither the audit key nor the anchor signed with it.
    await services.access.storage().updateMeta(({ auditAnchor: _anchor, ...meta }) => ({ ...meta, auditKey: null }));
    expect(services.vault.auditKeyId()).toBeNull();
    await services.vault.unlock(secret(PASSPHRASE), operator);
    const keyId = services.vault.auditKeyId();
    expect(keyId).not.toBeNull();
    const report = await log.verify();
    expect(report).toMatchObject({ intact: true, unsigned: 0, deskKeyId: keyId });
    expect(report.keyIds.at(-1)).toBe(keyId);
  });

  it('drops the key when the vault locks by itself', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { log, services } = desk();
    await log.open();
    await services.vault.init(secret(PASSPHRASE), operator);
    await services.vault.updateSettings({ idleLockMinutes: 1 }, operator);
    expect(log.signer).not.toBeNull();
    vi.advanceTimersByTime(61_000);
    expect(services.vault.status().unlocked).toBe(false);
    await log.record(sampleEvent(1));
    expect(log.signer).toBeNull();
    const report = await log.verify();
    expect(report).toMatchObject({ intact: true, unsigned: 1 });
  });

  it('reports a log re-signed with another key as an anchor problem', async () => {
    const { home, log, services } = desk();
    await log.open();
    await services.vault.init(secret(PASSPHRASE), operator);
    await log.record(sampleEvent(1));
    await services.vault.lock(operator);
    const keyId = services.vault.auditKeyId();

    // Someone with write access appends and signs with a key of their own.
    const forger = createDeskAuditLog(home, { signer: await KeyAuditSigner.generate() });
    await forger.record(sampleEvent(2));
    await forger.close();
    const report = await verifyAuditLog(join(home, 'audit'), { deskKeyId: keyId });
    expect(report.intact).toBe(false);
    expect(report.problems.map((p) => p.kind)).toEqual(['anchor']);
    // The desk's own log names its key from the vault while locked, and says the same.
    expect((await log.verify()).problems.map((p) => p.kind)).toEqual(['anchor']);
  });

  it('does not count a log the vault never signed as damaged, unless the desk has a key', async () => {
    const home = tempHome();
    const log = createDeskAuditLog(home, { log: silentLogger });
    for (let i = 0; i < 5; i += 1) await log.record(sampleEvent(i));
    await log.close();
    const dir = join(home, 'audit');
    expect(await verifyAuditLog(dir)).toMatchObject({ intact: true, unsigned: 5, signedThrough: null, keyIds: [] });
    const withKey = await verifyAuditLog(dir, { deskKeyId: (await KeyAuditSigner.generate()).keyId });
    expect(withKey.problems.map((p) => p.kind)).toEqual(['anchor']);
  });
});
