/**
 * `npm run bench -- ca [--algorithm p384|rsa3072|rsa4096] [--certificates N] [--revoked N] [--holders N]`
 *
 * Each measurement beside its anchor, in the same run on the same machine:
 *   1. issuing 1,000 certificates (CSR → certificate, stored durably) vs a loop of `openssl x509 -req`
 *      over the same CSRs, the same issuing key and the same profile (goal ≥ 3× faster);
 *   2. publishing the CRL of 100,000 revoked certificates vs `openssl ca -gencrl` over an index of the
 *      same 100,000 entries (goal ≤ 1.0× OpenSSL's time);
 *   3. holder search p95 over 100,000 holders vs SQLite (goal ≤ 20 ms);
 *   4. one holder update p95 with 100,000 holders vs SQLite with synchronous=FULL (goal ≤ 100 ms).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createPrivateKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { MemoryAuditTrail } from '../electron/core/audit/audit-trail';
import { CERTIFICATES, type CertificateRecord } from '../electron/core/ca/certificate-records';
import { randomSerial, serialHex } from '../electron/core/ca/certificate-builder';
import { createRequest } from '../electron/core/ca/certification-request';
import { toPem } from '../electron/core/ca/der';
import { mod11_10CheckDigit } from '../electron/core/directory/check-digits';
import { silentLogger } from '../electron/core/log/logger';
import { createVaultServices, type VaultServices } from '../electron/core/vault/vault-services';
import type { CaAlgorithm } from '../electron/shared/schemas/ca';
import type { HolderSearchQuery } from '../electron/shared/schemas/holders';
import { absolute, compare, formatMs, percentile } from './report';
import type { Benchmark } from './run';

const operator = { actor: { kind: 'operator', id: 'bench' }, channel: 'cli' } as const;
const PASSPHRASE = Buffer.from('benchmark passphrase');

/** Collects the garbage the set-up left (npm run bench runs Node with --expose-gc), so it is not billed to the measurement. */
function settle(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

function timed<T>(run: () => T): { ms: number; value: T } {
  const start = performance.now();
  const value = run();
  return { ms: performance.now() - start, value };
}

async function timedAsync<T>(run: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await run();
  return { ms: performance.now() - start, value };
}

function hasTool(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
}

/** The issuing key in PEM for OpenSSL: the anchor must sign with the very same key. */
export function issuingKeyPem(services: VaultServices): string {
  const key = services.ca.state().issuing.key;
  if (key.kind !== 'software') throw new Error('the benchmark creates its CA in software');
  const pkcs8 = services.keyring.open(key.sealed, 'ca-key:issuing');
  const pem = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }).export({ type: 'pkcs8', format: 'pem' }).toString();
  pkcs8.fill(0);
  return pem;
}

// The authentication profile, as OpenSSL writes it (the same extensions CardDesk puts in).
const opensslProfile = `[auth]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth, 1.3.6.1.4.1.311.20.2.2
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = email:holder@example.org, otherName:1.3.6.1.4.1.311.20.2.3;UTF8:holder@example.org
`;

async function issuance(services: VaultServices, dir: string, count: number): Promise<boolean> {
  console.log(`\n## 1. Issue ${count} certificates (authentication profile, P-256 subject keys, CA ${services.ca.status({ running: false, port: null }).ready ? services.ca.certificate('issuing').signatureAlgorithm : ''})`);
  const csrDir = join(dir, 'csr');
  mkdirSync(csrDir);
  const csrs = Array.from({ length: count }, (_, i) => {
    const pem = toPem(createRequest(`CN=Bench Holder ${i}`, generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey), 'CERTIFICATE REQUEST');
    writeFileSync(join(csrDir, `${i}.csr`), pem);
    return pem;
  });
  const sans = [
    { type: 'upn', value: 'holder@example.org' },
    { type: 'email', value: 'holder@example.org' },
  ] as const;
  settle();
  const ours = await timedAsync(async () => {
    for (const [i, request] of csrs.entries()) {
      await services.certificates.issue({ profile: 'authentication', request, holderId: null, cardSerial: null, subject: `CN=Bench Holder ${i}`, subjectAltNames: [...sans] }, operator);
    }
  });

  writeFileSync(join(dir, 'issuing.key'), issuingKeyPem(services), { mode: 0o600 });
  writeFileSync(join(dir, 'issuing.pem'), toPem(services.ca.certificate('issuing').der, 'CERTIFICATE'));
  writeFileSync(join(dir, 'profile.cnf'), opensslProfile);
  const anchor = timed(() => {
    for (let i = 0; i < count; i += 1) {
      execFileSync('openssl', [
        'x509', '-req', '-in', join(csrDir, `${i}.csr`), '-CA', join(dir, 'issuing.pem'), '-CAkey', join(dir, 'issuing.key'),
        '-set_serial', `0x${randomBytes(16).toString('hex')}`, '-days', '1095', '-extfile', join(dir, 'profile.cnf'), '-extensions', 'auth',
        '-out', join(csrDir, `${i}.pem`),
      ], { stdio: 'ignore' });
    }
  });
  console.log(`   CardDesk: ${formatMs(ours.ms / count)} per certificate, each stored durably (fsync) before the next; OpenSSL: ${formatMs(anchor.ms / count)} per process`);
  return compare({ what: `issue ${count} certificates`, ours: ours.ms, anchor: anchor.ms, anchorName: 'openssl x509 -req loop', unit: 'ms', better: 'lower', goal: { ratio: 3, text: '≥ 3× faster' } });
}

/**
 * Stores `count` revoked certificates shaped like the first one issued (one durable commit), as if
 * they had been issued and revoked over the years: the CRL benchmarks' input.
 */
export async function addRevokedCertificates(services: VaultServices, count: number): Promise<{ records: CertificateRecord[]; revokedAt: string; notAfter: string }> {
  const template = services.certificates.record(services.certificates.list({ query: '', offset: 0, limit: 1 }).items[0]?.serial ?? '');
  const revokedAt = new Date(Date.now() + 1000).toISOString();
  const notAfter = new Date(Date.now() + 365 * 86_400_000).toISOString();
  const records: CertificateRecord[] = Array.from({ length: count }, () => {
    const serial = serialHex(randomSerial());
    return { ...template, id: serial, serial, status: 'revoked', reason: 'keyCompromise', revokedAt, statusChangedAt: revokedAt, notAfter };
  });
  await services.access.storage().records.commit(records.map((record) => ({ collection: CERTIFICATES, id: record.id, record })));
  return { records, revokedAt, notAfter };
}

async function crl(services: VaultServices, dir: string, count: number): Promise<boolean> {
  console.log(`\n## 2. CRL with ${count} revoked certificates`);
  // Publish once so the next publication also has a base: its delta then lists all the new entries too.
  await services.crl.publish(operator);
  const { records, revokedAt, notAfter } = await addRevokedCertificates(services, count);
  settle();
  const ours = await timedAsync(() => services.crl.publish(operator));
  console.log(`   CardDesk publishes a full CRL (${ours.value.full.entries} entries) and a delta CRL (${ours.value.delta.entries} entries), DER and PEM, durably`);

  const caDir = join(dir, 'openssl-ca');
  mkdirSync(caDir);
  const expiry = notAfter.replace(/[-:T]/g, '').slice(2, 14) + 'Z';
  const revocation = revokedAt.replace(/[-:T]/g, '').slice(2, 14) + 'Z';
  writeFileSync(join(caDir, 'index.txt'), records.map((r) => `R\t${expiry}\t${revocation},keyCompromise\t${r.serial}\tunknown\t/CN=Bench Holder`).join('\n') + '\n');
  writeFileSync(join(caDir, 'crlnumber'), '1000\n');
  writeFileSync(
    join(caDir, 'ca.cnf'),
    `[ca]\ndefault_ca = bench\n[bench]\ndir = ${caDir}\ndatabase = $dir/index.txt\ncrlnumber = $dir/crlnumber\ncertificate = ${join(dir, 'issuing.pem')}\nprivate_key = ${join(dir, 'issuing.key')}\ndefault_md = default\ndefault_crl_days = 7\ncrl_extensions = crl_ext\n[crl_ext]\nauthorityKeyIdentifier = keyid\n`,
  );
  const anchor = timed(() => execFileSync('openssl', ['ca', '-gencrl', '-batch', '-config', join(caDir, 'ca.cnf'), '-out', join(caDir, 'crl.pem')], { stdio: 'ignore' }));
  const entries = execFileSync('sh', ['-c', `openssl crl -in ${join(caDir, 'crl.pem')} -noout -text | grep -c 'Serial Number'`]).toString().trim();
  console.log(`   openssl ca -gencrl wrote one CRL with ${entries} entries`);
  return compare({ what: `CRL of ${count} entries`, ours: ours.ms, anchor: anchor.ms, anchorName: 'openssl ca -gencrl', unit: 'ms', better: 'lower', goal: { ratio: 1, text: '≤ 1.0× OpenSSL’s time' } });
}

const first = ['Arben', 'Blerta', 'Dardan', 'Ema', 'Giulia', 'Marco', 'Sanne', 'Daan', 'Liridon', 'Chiara', 'Fatmire', 'Pieter'];
const last = ['Krasniqi', 'Berisha', 'Gashi', 'Rossi', 'Bianchi', 'de Vries', 'Jansen', 'Hoxha', 'Shala', 'Conti', 'Bakker', 'Morina'];
const organisations = ['Komuna e Prishtinës', 'Ministria e Brendshme', 'Comune di Roma', 'Gemeente Utrecht', 'Universiteti i Prishtinës', 'ASL Milano'];

/** `count` holders as the CSV import takes them, with valid personal numbers, in four languages. */
export function holderCsv(count: number): string {
  const rows = ['personalNumber,firstName,lastName,email,mobile,organisation,documentNumber,documentExpiry,language,state'];
  for (let i = 0; i < count; i += 1) {
    const body = String(100_000_000 + i);
    const f = first[i % first.length] as string;
    const l = last[Math.floor(i / first.length) % last.length] as string;
    rows.push(
      [`${body}${mod11_10CheckDigit(body)}`, f, l, `${f}.${l.replace(' ', '')}${i}@example.org`.toLowerCase(), `+3834${String(i).padStart(7, '0')}`, organisations[i % organisations.length], `P${String(i).padStart(8, '0')}`, `20${28 + (i % 5)}-0${1 + (i % 9)}-1${i % 9}`, ['en', 'sq', 'it', 'nl'][i % 4], i % 10 === 0 ? 'suspended' : 'active'].join(','),
    );
  }
  return rows.join('\n');
}

function searchQueries(count: number): HolderSearchQuery[] {
  const words = ['krasniqi', 'rossi', 'blerta', 'prishtin', 'utrecht', '@example', '1000123', 'de vries', 'giulia bianchi', 'p0009', '2029-0', 'arben gashi'];
  const sorts = ['lastName', 'firstName', 'personalNumber', 'organisation', 'updatedAt', 'documentExpiry'] as const;
  return Array.from({ length: count }, (_, i) => ({
    query: i % 5 === 4 ? '' : (words[i % words.length] as string),
    state: i % 3 === 0 ? ('active' as const) : undefined,
    language: undefined,
    sort: sorts[i % sorts.length] as HolderSearchQuery['sort'],
    direction: i % 2 === 0 ? ('asc' as const) : ('desc' as const),
    offset: (i % 4) * 25,
    limit: 25,
  }));
}

function sqliteTimes(database: string, script: string): number[] {
  const output = execFileSync('sqlite3', [database], { input: script, maxBuffer: 256 * 1024 * 1024 }).toString();
  return [...output.matchAll(/Run Time: real ([\d.]+)/g)].map((m) => Number(m[1]) * 1000);
}

async function directory(services: VaultServices, dir: string, count: number): Promise<boolean[]> {
  console.log(`\n## 3-4. Directory with ${count} holders`);
  const csv = holderCsv(count);
  const imported = await timedAsync(() => services.directory.importCsv(csv, operator));
  if (!imported.value.ok) throw new Error('the benchmark holders did not import');
  console.log(`   imported ${count} holders from CSV in ${formatMs(imported.ms)} (checked, one journal line)`);

  const queries = searchQueries(300);
  for (const sort of new Set(queries.map((q) => q.sort))) services.directory.search({ ...queries[0]!, sort }); // warm: builds each sort order once
  settle();
  const searchTimes = queries.map((q) => timed(() => services.directory.search(q)).ms);

  const ids = services.directory.search({ query: '', sort: 'lastName', direction: 'asc', offset: 0, limit: 500 }).items.map((h) => h.id);
  const updateTimes: number[] = [];
  for (let i = 0; i < 200; i += 1) {
    const holder = services.directory.get(ids[i % ids.length] as string);
    const { id: _id, userNumber: _u, createdAt: _c, updatedAt: _up, version, ...input } = holder;
    const { ms, value } = await timedAsync(() => services.directory.update(holder.id, version, { ...input, mobile: `+3834${String(9_000_000 + i)}` }, operator));
    if (!value.ok) throw new Error('benchmark update refused');
    updateTimes.push(ms);
  }

  let sqliteSearch: number[] = [];
  let sqliteUpdate: number[] = [];
  if (hasTool('sqlite3')) {
    const database = join(dir, 'anchor.sqlite');
    const csvFile = join(dir, 'holders.csv');
    writeFileSync(csvFile, csv);
    execFileSync('sqlite3', [database], {
      input: `.mode csv\n.import ${csvFile} holders\nALTER TABLE holders ADD COLUMN updatedAt TEXT DEFAULT '';\nCREATE INDEX by_last ON holders(lastName);\n`,
    });
    const like = (q: HolderSearchQuery) =>
      q.query.split(/\s+/).filter(Boolean).map((w) => `lower(personalNumber||' '||firstName||' '||lastName||' '||email||' '||mobile||' '||organisation||' '||documentNumber||' '||documentExpiry) LIKE '%${w}%'`);
    const statements = queries.map((q) => {
      const where = [...like(q), ...(q.state === undefined ? [] : [`state = '${q.state}'`])];
      const clause = where.length === 0 ? '' : ` WHERE ${where.join(' AND ')}`;
      // The same work as CardDesk: the total and one sorted page.
      return `SELECT count(*) FROM holders${clause}; SELECT * FROM holders${clause} ORDER BY ${q.sort === 'updatedAt' ? 'updatedAt' : q.sort} ${q.direction} LIMIT ${q.limit} OFFSET ${q.offset};`;
    });
    const pairs = sqliteTimes(database, `.timer on\n.output /dev/null\n${statements.join('\n')}\n`);
    sqliteSearch = statements.map((_, i) => (pairs[2 * i] ?? 0) + (pairs[2 * i + 1] ?? 0));
    const updates = Array.from({ length: 200 }, (_, i) => `UPDATE holders SET mobile = '+3835${i}' WHERE rowid = ${1 + ((i * 7919) % count)};`);
    sqliteUpdate = sqliteTimes(database, `PRAGMA synchronous = FULL;\n.timer on\n${updates.join('\n')}\n`);
  } else console.log('   sqlite3 is not installed: the SQLite anchor is missing from this run');

  const results: boolean[] = [];
  const searchP95 = percentile(searchTimes, 95);
  results.push(absolute({ what: `holder search p95 over ${count} holders (${queries.length} queries: words, filters, 6 sort orders, pages)`, value: searchP95, unit: 'ms', goal: { max: 20, text: '≤ 20 ms' } }));
  if (sqliteSearch.length > 0) compare({ what: '   search p95 beside SQLite (LIKE over the same fields, count + page)', ours: searchP95, anchor: percentile(sqliteSearch, 95), anchorName: 'sqlite3', unit: 'ms', better: 'lower' });
  const updateP95 = percentile(updateTimes, 95);
  results.push(absolute({ what: `holder update p95 with ${count} holders (checked, journaled, fsynced, re-indexed)`, value: updateP95, unit: 'ms', goal: { max: 100, text: '≤ 100 ms' } }));
  if (sqliteUpdate.length > 0) compare({ what: '   update p95 beside SQLite (synchronous=FULL, one transaction each)', ours: updateP95, anchor: percentile(sqliteUpdate, 95), anchorName: 'sqlite3', unit: 'ms', better: 'lower' });
  return results;
}

export const benchmark: Benchmark = {
  description: 'CA issuance and CRL vs OpenSSL; holder search and update over 100,000 holders vs SQLite',
  async run(args) {
    const { values } = parseArgs({
      args: [...args],
      options: {
        algorithm: { type: 'string', default: 'p384' },
        certificates: { type: 'string', default: '1000' },
        revoked: { type: 'string', default: '100000' },
        holders: { type: 'string', default: '100000' },
      },
    });
    if (!hasTool('openssl')) throw new Error('openssl is needed as the anchor (apt-get install openssl)');
    const dir = mkdtempSync(join(tmpdir(), 'carddesk-bench-ca-'));
    const services = createVaultServices({ dataDir: dir, audit: new MemoryAuditTrail(), log: silentLogger });
    try {
      await services.vault.init(PASSPHRASE, operator);
      await services.ca.init(
        { algorithm: values.algorithm as CaAlgorithm, rootSubject: 'CN=Bench Root, O=CardDesk', issuingSubject: 'CN=Bench Issuing, O=CardDesk', rootValidityYears: 20, issuingValidityYears: 10, publicBaseUrl: null },
        operator,
      );
      // The directory first, in a heap not yet filled by the 100,000 CRL records, as in the app.
      const searchAndUpdate = await directory(services, dir, Number(values.holders));
      const met = [await issuance(services, dir, Number(values.certificates)), await crl(services, dir, Number(values.revoked)), ...searchAndUpdate];
      console.log(`\n${met.filter(Boolean).length} of ${met.length} goals met.`);
    } finally {
      await services.close();
    }
  },
};
