/**
 * `npm run bench -- mobile [--enrolments N]`: a phone's enrollment on the desk (issue 16 §7) —
 * the one-time code checked, the PKCS#10 request checked against the mobile ID's profile, the
 * certificate issued with the subject from the directory and stored durably, its event appended to the
 * desk's audit log —
 * beside the same issuance by `openssl x509 -req` (same issuing key, same request, one process per
 * certificate, nothing stored). Goal: ≤ 50 ms p95 for CardDesk.
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createDeskAuditLog } from '../electron/core/audit/desk-audit-log';
import { createRequest } from '../electron/core/ca/certification-request';
import { toPem } from '../electron/core/ca/der';
import { silentLogger } from '../electron/core/log/logger';
import { parseEnrollmentUri } from '../electron/core/mobile/enrollment-uri';
import { MobileIdService } from '../electron/core/mobile/mobile-id-service';
import { createVaultServices } from '../electron/core/vault/vault-services';
import { holderInput } from '../test/support/vault-fixtures';
import { issuingKeyPem } from './ca.bench';
import { absolute, compare, formatMs, percentile } from './report';
import type { Benchmark } from './run';

const operator = { actor: { kind: 'operator', id: 'bench' }, channel: 'cli' } as const;
const GOAL_MS = 50;

// The mobile authentication profile as OpenSSL writes it.
const opensslProfile = `[auth]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = email:ada@example.org
`;

export const benchmark: Benchmark = {
  description: 'a phone’s enrollment (code, CSR checks, certificate, durable) beside `openssl x509 -req`',
  async run(args) {
    const { values } = parseArgs({ args: [...args], options: { enrolments: { type: 'string', default: '200' } } });
    const count = Number(values.enrolments);
    const dir = mkdtempSync(join(tmpdir(), 'carddesk-bench-mobile-'));
    // The desk's own audit log: each enrollment's event is appended durably, as on the desk.
    const audit = createDeskAuditLog(join(dir, 'home'));
    const services = createVaultServices({ dataDir: join(dir, 'home'), audit, log: silentLogger });
    try {
      await services.vault.init(Buffer.from('benchmark passphrase'), operator);
      await services.ca.init(
        { algorithm: 'p384', rootSubject: 'CN=Bench Root', issuingSubject: 'CN=Bench Issuing', rootValidityYears: 20, issuingValidityYears: 10, publicBaseUrl: 'http://pki.bench.example/' },
        operator,
      );
      const saved = await services.directory.create(holderInput(1, { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.org' }), operator);
      if (!saved.ok) throw new Error('the holder was not saved');
      const mobile = new MobileIdService({ ...services, estUrl: () => 'https://desk.bench.example/.well-known/est' });

      // Each enrollment its own mobile ID, code and phone key (made before the clock runs).
      const phones = [];
      for (let i = 0; i < count; i++) {
        const issued = await mobile.issue(saved.holder.id, { labels: ['auth'] }, operator);
        const request = createRequest('CN=phone', generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey);
        phones.push({ id: issued.mobileId.id, code: parseEnrollmentUri(issued.enrollmentUri).code, request });
      }
      const ours: number[] = [];
      for (const phone of phones) {
        const started = performance.now();
        const result = await mobile.enroll('auth', phone.id, phone.code, phone.request, '192.0.2.1');
        ours.push(performance.now() - started);
        if (!result.ok) throw new Error(`enrollment refused: ${result.message}`);
      }

      writeFileSync(join(dir, 'issuing.key'), issuingKeyPem(services), { mode: 0o600 });
      writeFileSync(join(dir, 'issuing.pem'), toPem(services.ca.certificate('issuing').der, 'CERTIFICATE'));
      writeFileSync(join(dir, 'profile.cnf'), opensslProfile);
      const anchor: number[] = [];
      for (const [i, phone] of phones.entries()) {
        writeFileSync(join(dir, `${i}.csr`), toPem(phone.request, 'CERTIFICATE REQUEST'));
        const started = performance.now();
        execFileSync('openssl', [
          'x509', '-req', '-in', join(dir, `${i}.csr`), '-CA', join(dir, 'issuing.pem'), '-CAkey', join(dir, 'issuing.key'),
          '-set_serial', `0x${randomBytes(16).toString('hex')}`, '-days', '365', '-extfile', join(dir, 'profile.cnf'), '-extensions', 'auth',
          '-out', join(dir, `${i}.pem`),
        ], { stdio: 'ignore' });
        anchor.push(performance.now() - started);
      }
      console.log(`enrollments: ${count}; CardDesk median ${formatMs(percentile(ours, 50))}, p95 ${formatMs(percentile(ours, 95))}; openssl x509 -req median ${formatMs(percentile(anchor, 50))}, p95 ${formatMs(percentile(anchor, 95))}`);
      compare({ what: 'one enrollment (p95)', ours: percentile(ours, 95), anchor: percentile(anchor, 95), anchorName: 'openssl x509 -req', unit: 'ms', better: 'lower' });
      absolute({ what: 'CardDesk enrollment, CSR in → certificate out, durable (p95)', value: percentile(ours, 95), unit: 'ms', goal: { max: GOAL_MS, text: `≤ ${GOAL_MS} ms` } });
    } finally {
      await services.close();
      await audit.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
