/**
 * Moving a mobile ID to a new phone, and the escrowed encryption key onto it (issue 16 §4, §2),
 * against the real desk: set up with `carddesk` (vault, CA, holder, listener with HTTPS), served
 * by `carddesk listener run`, the phones played by the reference client (`carddesk mobile enroll`)
 * and checked with openssl and curl only.
 *
 * The holder's escrowed key: there is no card in this test, so the key is escrowed through the
 * desk's own KeyEscrow (as the card issuer escrows a card's 9D key) and its encryption
 * certificate issued by the desk's CA, both in this process on the desk's data folder between
 * CLI commands (the vault is single-writer; the desk is not running then). Nothing is mocked: the
 * recovery then goes through KeyEscrow.recover in the listener.
 *
 * Run it in /work/tools/sandbox (it listens on 127.0.0.1).
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeskAuditLog } from '../../electron/core/audit/desk-audit-log';
import { KeyEscrow } from '../../electron/core/lifecycle/key-escrow';
import { silentLogger } from '../../electron/core/log/logger';
import { parseEnrollmentUri } from '../../electron/core/mobile/enrollment-uri';
import { createVaultServices } from '../../electron/core/vault/vault-services';
import { carddesk, carddeskSession, type CliResult, type CliSession } from '../support/cli';
import { unrecordedCommands } from '../support/cli-audit';
import { ocspStatus, openssl, tool, type ToolResult } from '../support/openssl';
import { PASSPHRASE, personalNumber, tempHome } from '../support/vault-fixtures';
import { freePort } from '../support/free-port';

const HOST = '127.0.0.1';
const home = tempHome('carddesk-mobile-migrate-');
const work = mkdtempSync(join(tmpdir(), 'carddesk-mobile-migrate-files-'));
const file = (name: string): string => join(work, name);
const holderNumber = personalNumber(1677);
const P12_PASSPHRASE = 'the new phone keystore passphrase';
const passFile = file('p12-pass');
const cd = (args: string[], input = `${PASSPHRASE}\n`): Promise<CliResult> => carddesk(args, { home, input, timeoutMs: 120_000 });
const operator = { actor: { kind: 'operator' as const, id: 'tester' }, channel: 'cli' as const };

let httpPort = 0;
let tlsPort = 0;
let est = '';
let listener: CliSession | null = null;
let oldId = '';
/** The escrowed key's certificate (PEM), as the desk's CA issued it. */
let escrowedCertPem = '';

async function ok(args: string[], input = `${PASSPHRASE}\n`): Promise<CliResult> {
  const done = await cd(args, input);
  expect(done.code, `carddesk ${args.join(' ')}\n${done.stdout}\n${done.stderr}`).toBe(0);
  return done;
}

async function startListener(): Promise<void> {
  listener = carddeskSession(['listener', 'run'], { home, input: `${PASSPHRASE}\n`, timeoutMs: 600_000 });
  await listener.waitFor(/Listening for HTTPS on/, 90_000);
}

async function stopListener(): Promise<void> {
  if (listener === null) return;
  listener.signal('SIGTERM');
  await listener.done;
  listener = null;
}

/** The phone: `carddesk mobile enroll` with a data folder of its own. */
async function phone(uri: string, out: string): Promise<CliResult> {
  const qr = `${out}.uri.txt`;
  writeFileSync(qr, `${uri}\n`);
  return carddesk(['mobile', 'enroll', '--qr', qr, '--out', out, '--p12-passphrase-file', passFile], { home: tempHome(), timeoutMs: 120_000 });
}

/** The end-entity certificate of a p12 the phone wrote, as a PEM file. */
function leafOf(p12: string, name: string): string {
  const pem = file(`${name}.pem`);
  const read = openssl('pkcs12', '-in', p12, '-passin', `file:${passFile}`, '-clcerts', '-nokeys', '-out', pem);
  expect(read.code, read.stderr).toBe(0);
  return pem;
}

function ocsp(cert: string): ToolResult {
  return ocspStatus({ issuer: file('issuing.pem'), cert, url: `http://${HOST}:${httpPort}/ocsp`, chain: file('chain.pem') });
}

/** curl POST of a passphrase to the key endpoint with HTTP Basic; the status on the last line. */
function recoverKey(credentials: string, body = P12_PASSPHRASE): { status: number; stderr: string } {
  writeFileSync(file('body.txt'), body);
  const result = tool('curl', [
    '-sS',
    '--max-time',
    '20',
    '--cacert',
    file('chain.pem'),
    '-o',
    file('recover-answer'),
    '-w',
    '%{http_code}',
    '-u',
    credentials,
    '-H',
    'Content-Type: text/plain; charset=utf-8',
    '--data-binary',
    `@${file('body.txt')}`,
    `${est}/carddesk-recoverkey`,
  ]);
  return { status: Number(result.stdout.trim().split('\n').pop() ?? '0'), stderr: result.stderr };
}

const publicKeyOf = (args: string[]): string => {
  const result = openssl(...args);
  expect(result.code, result.stderr).toBe(0);
  return result.stdout.trim();
};

beforeAll(async () => {
  httpPort = await freePort(HOST);
  tlsPort = await freePort(HOST);
  est = `https://${HOST}:${tlsPort}/.well-known/est`;
  writeFileSync(passFile, `${P12_PASSPHRASE}\n`);
  await ok(['vault', 'init'], `${PASSPHRASE}\n${PASSPHRASE}\n`);
  await ok(['listener', 'set', '--on', '--address', HOST, '--port', String(httpPort), '--tls-port', String(tlsPort), '--public-host', HOST]);
  await ok(['ca', 'init', '--algorithm', 'p384', '--root-name', 'CN=Migrate Root, O=CardDesk Test', '--issuing-name', 'CN=Migrate Issuing, O=CardDesk Test']);
  await ok(['holder', 'add', '--personal-number', holderNumber, '--first-name', 'Katherine', '--last-name', 'Johnson', '--email', 'katherine@example.org'], '');

  // The holder's escrowed encryption key, with its certificate from the desk's CA (see above).
  const audit = createDeskAuditLog(home, { log: silentLogger });
  await audit.open();
  const services = createVaultServices({ dataDir: home, audit, log: silentLogger, auditSigning: audit });
  try {
    services.access.storage();
    await services.syncAudit();
    await services.vault.unlock(Buffer.from(PASSPHRASE), operator);
    const holder = services.directory.find(holderNumber);
    const pair = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const escrow = new KeyEscrow(services.access, services.keyring, audit);
    const escrowId = await escrow.escrow(pair.privateKey, { cardSerial: 'NO-CARD-IN-THIS-TEST', holderId: holder.id, algorithm: 'eccp256' }, operator);
    const issued = await services.certificates.issue(
      { profile: 'encryption', request: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(), holderId: holder.id, cardSerial: null, subject: '' },
      operator,
    );
    await escrow.attachCertificate(escrowId, issued.serial);
    escrowedCertPem = services.certificates.record(issued.serial).der.replace(/(.{64})/g, '$1\n');
    escrowedCertPem = `-----BEGIN CERTIFICATE-----\n${escrowedCertPem.trim()}\n-----END CERTIFICATE-----\n`;
    writeFileSync(file('escrowed-cert.pem'), escrowedCertPem);
  } finally {
    await services.close();
    await audit.close();
  }

  const issued = await ok(['mobile', 'issue', '--holder', holderNumber, '--labels', 'auth,sign', '--json']);
  const json = JSON.parse(issued.stdout) as { enrollmentUri: string; mobileId: { id: string } };
  oldId = json.mobileId.id;
  writeFileSync(file('old.uri'), json.enrollmentUri);
  await startListener();
}, 300_000);

afterAll(async () => {
  await stopListener();
});

describe('move a mobile ID to a new phone, the escrowed key onto it', () => {
  const oldPhone = file('old-phone');
  const newPhone = file('new-phone');
  let newUri = '';
  let plainUri = '';

  it('the old phone enrols; its certificates are good at the desk’s OCSP', async () => {
    const enrolled = await phone(readFileSync(file('old.uri'), 'utf8').trim(), oldPhone);
    expect(enrolled.code, enrolled.stderr).toBe(0);
    // No key was chosen for this one: no key file.
    expect(readdirSync(oldPhone).sort()).toEqual(['auth.p12', 'ca-chain.pem', 'mobile-id.json', 'sign.p12']);
    const chain = readFileSync(join(oldPhone, 'ca-chain.pem'), 'utf8');
    writeFileSync(file('chain.pem'), chain);
    writeFileSync(file('issuing.pem'), /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/.exec(chain)?.[0] ?? '');
    for (const label of ['auth', 'sign']) expect(ocsp(leafOf(join(oldPhone, `${label}.p12`), `old-${label}`)).stdout).toContain(': good');
  }, 120_000);

  it('carddesk mobile migrate gives a new code with the key flag; the old phone stays good until the new one enrols', async () => {
    await stopListener();
    const moved = await ok(['mobile', 'migrate', oldId, '--recover-key', '--json']);
    const json = JSON.parse(moved.stdout) as { enrollmentUri: string; mobileId: { id: string; state: string; supersedes: string; options: { labels: string[]; recoverKey: boolean } } };
    expect(json.mobileId).toMatchObject({ state: 'pending', supersedes: oldId, options: { labels: ['auth', 'sign'], recoverKey: true } });
    newUri = json.enrollmentUri;
    expect(newUri).toContain('key=1');
    expect(parseEnrollmentUri(newUri).recoverKey).toBe(true);
    // And a mobile ID of the same holder without recoverKey, for the refusal below.
    const plain = await ok(['mobile', 'issue', '--holder', holderNumber, '--labels', 'auth', '--json']);
    plainUri = (JSON.parse(plain.stdout) as { enrollmentUri: string }).enrollmentUri;
    expect(plainUri).not.toContain('key=');
    const shown = await ok(['mobile', 'show', oldId, '--json'], '');
    expect(JSON.parse(shown.stdout)).toMatchObject({ state: 'active' });
    await startListener();
    for (const label of ['auth', 'sign']) expect(ocsp(file(`old-${label}.pem`)).stdout).toContain(': good');
  }, 180_000);

  it('the key is not given before the new phone has enrolled, nor to a mobile ID without recoverKey', () => {
    const invitation = parseEnrollmentUri(newUri);
    expect(recoverKey(`${invitation.mobileId}:${invitation.code}`).status).toBe(403);
    const plain = parseEnrollmentUri(plainUri);
    expect(recoverKey(`${plain.mobileId}:${plain.code}`).status).toBe(404);
    expect(recoverKey(`${invitation.mobileId}:${invitation.code.slice(0, -2)}xx`).status).toBe(401);
    // Still pending and good, neither refusal spent anything.
    for (const label of ['auth', 'sign']) expect(ocsp(file(`old-${label}.pem`)).stdout).toContain(': good');
  });

  it('the new phone enrols and fetches the key: the old phone is revoked (superseded), the PKCS#12 holds the escrowed key', async () => {
    const enrolled = await phone(newUri, newPhone);
    expect(enrolled.code, `${enrolled.stdout}\n${enrolled.stderr}`).toBe(0);
    expect(readdirSync(newPhone).sort()).toEqual(['auth.p12', 'ca-chain.pem', 'mobile-id.json', 'recovered-enc.p12', 'sign.p12']);
    for (const label of ['auth', 'sign']) {
      const answer = ocsp(file(`old-${label}.pem`)).stdout;
      expect(answer).toContain(': revoked');
      expect(answer).toMatch(/Reason: superseded/);
      expect(ocsp(leafOf(join(newPhone, `${label}.p12`), `new-${label}`)).stdout).toContain(': good');
    }

    const p12 = join(newPhone, 'recovered-enc.p12');
    // OpenSSL 3 reads it without -legacy: PBES2 with PBKDF2-SHA256 and AES-256-CBC, 100 000 iterations.
    const info = openssl('pkcs12', '-in', p12, '-passin', `file:${passFile}`, '-info', '-noout');
    expect(info.code, info.stderr).toBe(0);
    expect(info.stderr).toMatch(/PBES2, PBKDF2, AES-256-CBC, Iteration 100000, PRF hmacWithSHA256/);
    expect(info.stderr).toMatch(/MAC: sha256, Iteration 100000/);
    const key = file('recovered.key');
    expect(openssl('pkcs12', '-in', p12, '-passin', `file:${passFile}`, '-nocerts', '-nodes', '-out', key).code).toBe(0);
    const cert = file('recovered-cert.pem');
    expect(openssl('pkcs12', '-in', p12, '-passin', `file:${passFile}`, '-clcerts', '-nokeys', '-out', cert).code).toBe(0);
    const keyPublic = publicKeyOf(['pkey', '-in', key, '-pubout']);
    expect(keyPublic).toBe(publicKeyOf(['x509', '-in', file('escrowed-cert.pem'), '-noout', '-pubkey']));
    expect(publicKeyOf(['x509', '-in', cert, '-noout', '-pubkey'])).toBe(keyPublic);
    expect(publicKeyOf(['x509', '-in', cert, '-noout', '-fingerprint', '-sha256'])).toBe(publicKeyOf(['x509', '-in', file('escrowed-cert.pem'), '-noout', '-fingerprint', '-sha256']));
    // A wrong passphrase does not open it.
    writeFileSync(file('wrong-pass'), 'not the passphrase\n');
    expect(openssl('pkcs12', '-in', p12, '-passin', `file:${file('wrong-pass')}`, '-info', '-noout').code).not.toBe(0);
  }, 180_000);

  it('a second fetch of the key is refused, and the desk says the old mobile ID was replaced', async () => {
    const invitation = parseEnrollmentUri(newUri);
    expect(recoverKey(`${invitation.mobileId}:${invitation.code}`).status).toBe(401);
    await stopListener();
    const shown = JSON.parse((await ok(['mobile', 'show', oldId, '--json'], '')).stdout) as { state: string; supersededBy: string };
    expect(shown).toMatchObject({ state: 'revoked', supersededBy: invitation.mobileId });
    const log = await ok(['audit', 'export', '--json'], '');
    expect(log.stdout).toContain('mobile.recoverKey');
    expect(log.stdout).not.toContain(invitation.code);
    expect(log.stdout).not.toContain(P12_PASSPHRASE);
    // `mobile migrate` recorded its action as the operator through the CLI.
    expect(await unrecordedCommands('mobile-migrate', (args) => cd(args, ''))).toEqual([]);
    await startListener();
  }, 180_000);
});
