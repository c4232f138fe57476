/**
 * Publishes CRLs to a folder: at each publication a new full CRL and a delta CRL holding every
 * change since the previous full CRL (its base), so relying parties can fetch either the full
 * list or the previous one plus the delta (RFC 5280 §5.2.4). The root's CRL (for chain checks
 * with -crl_check_all) is signed too when the root key is in the vault. Files are written
 * durably: ca.crl / ca.crl.pem, ca-delta.crl / ca-delta.crl.pem, root.crl / root.crl.pem,
 * and the CA certificates next to them (issuing.pem, root.pem, chain.pem).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { CrlInfo, CrlPublishResult } from '../../shared/schemas/ca';
import type { AuditTrail } from '../audit/audit-trail';
import type { OperationContext } from '../operation-context';
import { checkUserTarget, ensurePrivateDirAsync, PUBLIC_FILE_MODE, writeFileDurably, writeUserFile } from '../files/safe-file';
import type { VaultAccess } from '../vault/vault-access';
import { keyIdentifier } from './ca-signer';
import type { CaService } from './ca-service';
import { CERTIFICATES, type CertificateRecord } from './certificate-records';
import { buildCrl, type CrlEntry } from './crl-builder';
import { toPem } from './der';

const DAY = 86_400_000;
export const FULL_CRL_DAYS = 7;
export const DELTA_CRL_DAYS = 1;

export class CrlPublisher {
  constructor(
    private readonly access: VaultAccess,
    private readonly ca: CaService,
    private readonly audit: AuditTrail,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** The entries of a full CRL: every revoked or suspended certificate that has not expired. */
  fullEntries(now: Date): CrlEntry[] {
    const entries: CrlEntry[] = [];
    const nowIso = now.toISOString(); // ISO times compare as strings
    for (const record of this.access.storage().records.values<CertificateRecord>(CERTIFICATES)) {
      if (record.status === 'valid' || record.reason === null || record.revokedAt === null) continue;
      if (record.notAfter < nowIso) continue;
      entries.push({ serial: record.serial, date: record.revokedAt, reason: record.reason });
    }
    return entries;
  }

  /** Changes since a base CRL: new revocations and holds, and holds released (removeFromCRL). */
  deltaEntries(since: string, heldAtBase: ReadonlySet<string>): CrlEntry[] {
    const entries: CrlEntry[] = [];
    for (const record of this.access.storage().records.values<CertificateRecord>(CERTIFICATES)) {
      if (record.status !== 'valid' && record.statusChangedAt > since && record.reason !== null && record.revokedAt !== null) {
        entries.push({ serial: record.serial, date: record.revokedAt, reason: record.reason });
      } else if (record.status === 'valid' && heldAtBase.has(record.serial)) {
        entries.push({ serial: record.serial, date: record.statusChangedAt, reason: 'removeFromCRL' });
      }
    }
    return entries;
  }

  /**
   * Signs and writes the CRLs, into the vault's crl folder or into `target`, a folder the user
   * named: there the files are public (0644), links are refused, and files already there are
   * replaced only with `force` (checked for every file before any is written).
   */
  async publish(op: OperationContext, target?: { readonly dir: string; readonly force: boolean }): Promise<CrlPublishResult> {
    const outDir = target?.dir ?? this.ca.publishDir;
    const ca = this.ca.state();
    const now = this.clock();
    const issuing = this.ca.certificate('issuing');
    const signer = this.ca.signer('issuing');
    const base = ca.crl.full;
    const fullNumber = ca.crl.nextNumber;
    const deltaNumber = fullNumber + 1;
    const full = this.fullEntries(now);
    const delta = base === null ? [] : this.deltaEntries(base.thisUpdate, new Set(base.heldSerials));
    const common = { issuerName: issuing.subjectDer, issuerKeyId: keyIdentifier(issuing.publicKeyInfo), thisUpdate: now };
    const fullDer = await buildCrl(full, { ...common, number: fullNumber, nextUpdate: new Date(now.getTime() + FULL_CRL_DAYS * DAY) }, signer);
    const deltaDer = await buildCrl(
      delta,
      { ...common, number: deltaNumber, nextUpdate: new Date(now.getTime() + DELTA_CRL_DAYS * DAY), baseNumber: base?.number ?? fullNumber },
      signer,
    );

    const pending: Array<readonly [string, Buffer | string]> = [];
    const write = (name: string, data: Buffer | string): void => {
      pending.push([join(outDir, name), data]);
    };
    write('ca.crl', fullDer);
    write('ca.crl.pem', toPem(fullDer, 'X509 CRL'));
    write('ca-delta.crl', deltaDer);
    write('ca-delta.crl.pem', toPem(deltaDer, 'X509 CRL'));
    write('issuing.pem', toPem(issuing.der, 'CERTIFICATE'));
    write('chain.pem', this.ca.chain().map((der) => toPem(der, 'CERTIFICATE')).join(''));

    let rootMark = ca.crl.root;
    if (ca.root !== null && ca.root.key !== null) {
      const root = this.ca.certificate('root');
      const rootNumber = ca.crl.rootNextNumber;
      const nextUpdate = new Date(now.getTime() + 365 * DAY);
      const rootDer = await buildCrl([], { issuerName: root.subjectDer, issuerKeyId: keyIdentifier(root.publicKeyInfo), number: rootNumber, thisUpdate: now, nextUpdate }, this.ca.signer('root'));
      write('root.crl', rootDer);
      write('root.crl.pem', toPem(rootDer, 'X509 CRL'));
      write('root.pem', toPem(root.der, 'CERTIFICATE'));
      rootMark = { number: rootNumber, thisUpdate: now.toISOString(), nextUpdate: nextUpdate.toISOString(), entries: 0 };
    }

    const files = pending.map(([path]) => path);
    if (target === undefined) {
      await ensurePrivateDirAsync(outDir);
      for (const [path, data] of pending) await writeFileDurably(path, data);
    } else {
      await mkdir(outDir, { recursive: true });
      for (const path of files) await checkUserTarget(path, target.force);
      for (const [path, data] of pending) await writeUserFile(path, data, { mode: PUBLIC_FILE_MODE, force: target.force });
    }

    const fullInfo: CrlInfo = { number: fullNumber, thisUpdate: now.toISOString(), nextUpdate: new Date(now.getTime() + FULL_CRL_DAYS * DAY).toISOString(), entries: full.length };
    const deltaInfo: CrlInfo = { number: deltaNumber, thisUpdate: now.toISOString(), nextUpdate: new Date(now.getTime() + DELTA_CRL_DAYS * DAY).toISOString(), entries: delta.length };
    const held = full.filter((e) => e.reason === 'certificateHold').map((e) => e.serial);
    await this.ca.updateCrlMarks((crl) => ({
      nextNumber: deltaNumber + 1,
      full: { ...fullInfo, heldSerials: held },
      delta: deltaInfo,
      rootNextNumber: rootMark === crl.root ? crl.rootNextNumber : crl.rootNextNumber + 1,
      root: rootMark,
    }));
    await this.audit.record({ action: 'ca.crlSign', outcome: 'success', details: { full: fullNumber, delta: deltaNumber, entries: full.length, deltaEntries: delta.length }, ...op });
    return { full: fullInfo, delta: deltaInfo, files };
  }
}
