/** `carddesk vault|ca|holder` as a user runs them: one process per command, passphrases on stdin. */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { carddesk } from '../support/cli';
import { unrecordedCommands } from '../support/cli-audit';
import { repoRoot } from '../support/host-process';
import { openssl, toolAsync } from '../support/openssl';
import { PASSPHRASE, personalNumber, tempHome } from '../support/vault-fixtures';

const home = tempHome('carddesk-cli-vault-');
const run = (args: string[], input = '') => carddesk(args, { home, input, timeoutMs: 60_000 });
const pass = `${PASSPHRASE}\n`;

function csr(name: string): string {
  const file = join(home, `${name}.csr`);
  openssl('req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(home, `${name}.key`), '-subj', `/CN=${name}`, '-out', file);
  return file;
}

beforeAll(async () => {
  const init = await run(['vault', 'init'], `${PASSPHRASE}\n${PASSPHRASE}\n`);
  expect(init.code, init.stderr).toBe(0);
  const ca = await run(['ca', 'init', '--algorithm', 'p384', '--root-name', 'CN=CLI Root, O=Test', '--issuing-name', 'CN=CLI Issuing, O=Test'], pass);
  expect(ca.code, ca.stderr).toBe(0);
}, 120_000);

describe('carddesk vault', () => {
  it('refuses a passphrase on the command line', async () => {
    const result = await run(['vault', 'unlock', '--passphrase', PASSPHRASE]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/unknown option '--passphrase'/);
  });

  it('unlock says whether the passphrase is right, with a stable code when it is not', async () => {
    const wrong = await run(['vault', 'unlock'], 'not the passphrase\n');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/The vault passphrase is wrong\. Nothing was changed\. \[WRONG_PASSPHRASE\]/);
    const right = await run(['vault', 'unlock'], pass);
    expect(right.code, right.stderr).toBe(0);
    expect(right.stdout).toMatch(/The passphrase is correct/);
  });

  it('status --json describes the vault', async () => {
    const result = await run(['vault', 'status', '--json']);
    expect(JSON.parse(result.stdout)).toMatchObject({ initialised: true, unlocked: false, schemaVersion: 1, settings: { idleLockMinutes: 15 } });
  });

  it('config changes the idle lock and the personal-number rule', async () => {
    const result = await run(['vault', 'config', '--idle-lock', '5', '--personal-number', 'digits:10:mod11-10'], pass);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Idle lock:\s+5 min/);
    expect((await run(['vault', 'config', '--personal-number', 'letters:3'])).code).not.toBe(0);
  });

  it('config refuses a pattern that could hang the desk, in a sentence, and keeps the rule', async () => {
    const started = Date.now();
    const result = await run(['vault', 'config', '--personal-number', 'pattern:(a+)+$'], pass);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/The personal-number pattern cannot be used: a repeated group that itself repeats/);
    console.log(`vault config with (a+)+$ refused in ${Date.now() - started} ms`);
    expect((await run(['vault', 'status'])).stdout).toMatch(/Personal numbers:.*10 digits/);
  });
});

describe('carddesk holder', () => {
  it('refuses a CSV that is not UTF-8 or names a column twice, in sentences with the line', async () => {
    const latin1 = join(home, 'latin1.csv');
    writeFileSync(latin1, Buffer.concat([Buffer.from(`personalNumber,firstName,lastName\n${personalNumber(40)},Hans,M`), Buffer.from([0xfc]), Buffer.from('ller\n')]));
    const encoding = await run(['holder', 'import', latin1]);
    expect(encoding.code).toBe(1);
    expect(encoding.stdout).toContain('The file is not UTF-8 text (line 2). Save it as CSV UTF-8 and import it again.');
    const twice = join(home, 'twice.csv');
    writeFileSync(twice, `personalNumber,firstName,lastName,firstName\n${personalNumber(41)},Ada,Lovelace,Augusta\n`);
    const duplicate = await run(['holder', 'import', twice]);
    expect(duplicate.code).toBe(1);
    expect(duplicate.stdout).toContain('The column firstName is named twice (line 1).');
  });

  it('refuses an impossible date in a sentence (2026-02-30 is not 2 March)', async () => {
    const result = await run(['holder', 'add', '--personal-number', personalNumber(42), '--first-name', 'Ada', '--last-name', 'Date', '--document-number', 'AB1', '--document-expiry', '2026-02-30']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('The identity document expiry is not valid.');
  });

  it('adds a holder and reports each bad field otherwise', async () => {
    const good = await run(['holder', 'add', '--personal-number', personalNumber(1), '--first-name', 'Ada', '--last-name', 'Lovelace', '--email', 'ada@example.org', '--json']);
    expect(good.code, good.stderr).toBe(0);
    expect(JSON.parse(good.stdout)).toMatchObject({ firstName: 'Ada', userNumber: expect.stringMatching(/^\d{14}$/) });
    const bad = await run(['holder', 'add', '--personal-number', '123', '--first-name', 'X', '--last-name', 'Y', '--email', 'nope']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('The holder was not saved. The personal number is not valid. The email address is not valid.');
  });

  it('imports nothing from a CSV with bad rows and lists each one; imports all of a good one', async () => {
    const badFile = join(home, 'bad.csv');
    writeFileSync(badFile, `personalNumber,firstName,lastName,email\n${personalNumber(2)},Grace,Hopper,grace@example.org\n99,Bad,Row,\n${personalNumber(1)},Dup,Licate,\n`);
    const bad = await run(['holder', 'import', badFile]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('line 3 (99): The personal number is not valid.');
    expect(bad.stdout).toContain(`line 4 (${personalNumber(1)}): The personal number is already used by another holder.`);
    expect(bad.stderr).toMatch(/nothing was imported: 2 of 3 row\(s\) have problems/);
    expect((await run(['holder', 'list', '--query', 'hopper'])).stdout).toMatch(/^0 holder\(s\)/m);
    const goodFile = join(home, 'good.csv');
    writeFileSync(goodFile, `personalNumber,firstName,lastName,email\n${personalNumber(2)},Grace,Hopper,grace@example.org\n${personalNumber(3)},Alan,Turing,\n`);
    const good = await run(['holder', 'import', goodFile]);
    expect(good.code, good.stderr).toBe(0);
    expect(good.stdout).toBe('Imported 2 holder(s).\n');
    const exported = await run(['holder', 'export']);
    expect(exported.stdout.split('\r\n')[0]).toBe('userNumber,personalNumber,firstName,lastName,email,mobile,organisation,contactPerson,documentNumber,documentExpiry,language,state,street,postcode,city,country,contactStreet,contactPostcode,contactCity,contactCountry');
    expect(exported.stdout).toContain('Hopper');
  });
});

describe('carddesk ca', () => {
  it('issues for a holder, revokes, publishes CRLs that OpenSSL checks, and exports', async () => {
    const out = join(home, 'ada.pem');
    const issued = await run(['ca', 'issue', '--profile', 'authentication', '--csr', csr('ada'), '--holder', personalNumber(1), '--out', out], pass);
    expect(issued.code, issued.stderr).toBe(0);
    const serial = /Issued ([0-9A-F]+)/.exec(issued.stderr)?.[1] ?? '';
    expect(openssl('x509', '-in', out, '-noout', '-subject').stdout).toMatch(/CN = Ada Lovelace/);
    const crl = join(home, 'crl');
    const verify = () => openssl('verify', '-CAfile', join(crl, 'chain.pem'), '-crl_check', '-CRLfile', join(crl, 'ca.crl.pem'), out);
    expect(verify().code).toBe(0);
    const revoked = await run(['ca', 'revoke', serial, '--reason', 'keyCompromise'], pass);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(verify().stdout + verify().stderr).toMatch(/certificate revoked/);
    const list = JSON.parse((await run(['ca', 'list', '--status', 'revoked', '--json'])).stdout) as { items: { serial: string }[] };
    expect(list.items.map((c) => c.serial)).toContain(serial);
    const p7b = join(home, 'ada.p7b');
    expect((await run(['ca', 'export', serial, '--format', 'p7b', '--out', p7b])).code).toBe(0);
    expect(openssl('pkcs7', '-inform', 'DER', '-in', p7b, '-print_certs', '-noout').stdout.match(/subject=/g)).toHaveLength(3);
  });

  it('suspends for at most 30 days and resumes', async () => {
    const issued = await run(['ca', 'issue', '--profile', 'signature', '--csr', csr('sig'), '--holder', personalNumber(1)], pass);
    const serial = /Issued ([0-9A-F]+)/.exec(issued.stderr)?.[1] ?? '';
    expect((await run(['ca', 'suspend', serial, '--days', '31'], pass)).code).not.toBe(0);
    const held = await run(['ca', 'suspend', serial, '--days', '7', '--then', 'revoke'], pass);
    expect(held.stdout).toMatch(/suspended until/);
    expect(openssl('crl', '-in', join(home, 'crl', 'ca.crl.pem'), '-noout', '-text').stdout).toMatch(new RegExp(`${serial}[\\s\\S]*?Certificate Hold`));
    expect((await run(['ca', 'resume', serial], pass)).stdout).toMatch(/ valid /);
  });

  it('refuses a wrong passphrase without changing anything', async () => {
    const before = readFileSync(join(home, 'vault', 'vault.json'), 'utf8');
    const result = await run(['ca', 'crl'], 'wrong passphrase\n');
    expect(result.stderr).toMatch(/\[WRONG_PASSPHRASE\]/);
    expect(readFileSync(join(home, 'vault', 'vault.json'), 'utf8')).toBe(before);
  });

  it('runs the OCSP responder, and a second command meanwhile hears "in use by PID …"', async () => {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const child = spawn(process.execPath, [join(repoRoot, 'bin', 'carddesk.cjs'), 'ca', 'ocsp', '--port', String(port)], { env: { ...process.env, CARDDESK_HOME: home }, stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.end(pass);
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      await expect.poll(() => output, { timeout: 20_000 }).toContain('OCSP responder listening');
      const busy = await run(['vault', 'status']);
      expect(busy.code).toBe(1);
      expect(busy.stderr).toContain(`The vault is in use by PID ${child.pid}.`);
      expect(busy.stderr).toContain('[VAULT_IN_USE]');
      const answer = await toolAsync('openssl', ['ocsp', '-issuer', join(home, 'crl', 'issuing.pem'), '-cert', join(home, 'ada.pem'), '-url', `http://127.0.0.1:${port}/`, '-CAfile', join(home, 'crl', 'chain.pem')]);
      expect(answer.stderr).toContain('Response verify OK');
      expect(answer.stdout).toMatch(/: revoked/);
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    expect((await run(['vault', 'status'])).code).toBe(0);
  });

  it('backs up and restores the vault', async () => {
    const file = join(home, 'vault.cdbackup');
    const backup = await run(['vault', 'backup', file], pass);
    expect(backup.code, backup.stderr).toBe(0);
    expect(existsSync(file)).toBe(true);
    await run(['holder', 'add', '--personal-number', personalNumber(9), '--first-name', 'After', '--last-name', 'Backup']);
    expect((await run(['vault', 'restore', file], 'wrong passphrase\n')).code).not.toBe(0);
    const restored = await run(['vault', 'restore', file], pass);
    expect(restored.code, restored.stderr).toBe(0);
    expect((await run(['holder', 'list', '--query', 'after backup'])).stdout).toMatch(/^0 holder\(s\)/m);
    expect((await run(['ca', 'status'])).stdout).toContain('CN=CLI Issuing, O=Test');
  });

  it('recorded every command that changed state in the audit log', async () => {
    expect(await unrecordedCommands('vault-cli', (args) => run(args))).toEqual([]);
  });
});
