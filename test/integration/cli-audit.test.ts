/**
 * `carddesk audit verify|export`, and every CLI command that changes state recording its event.
 * The card lives in the embedded virtual reader of the test's own CARDDESK_HOME: PC/SC is pointed
 * at a socket that does not exist, so this never touches pcscd or the vpcd readers others use.
 */
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../electron/cli/program';
import { VIRTUAL_READER_NAME } from '../../electron/core/readers/virtual-reader';
import { FACTORY } from '../../electron/smartcard/piv';
import { allLines } from '../support/audit';
import { carddesk, carddeskSession, type CliResult } from '../support/cli';
import { cliReads, cliWrites, csvRows } from '../support/cli-audit';
import { freshHome } from '../support/host-process';
import { toolAsync } from '../support/openssl';
import { PASSPHRASE, personalNumber } from '../support/vault-fixtures';
import { freePort } from '../support/free-port';

const home = freshHome('carddesk-cli-audit-');
const env = { PCSCLITE_CSOCK_NAME: join(home, 'no-pcscd.comm') };
const reader = ['--reader', VIRTUAL_READER_NAME];
const run = (args: string[], input?: string) => carddesk(args, { home, env, ...(input === undefined ? {} : { input }) });

async function exported(...filters: string[]): Promise<Record<string, string>[]> {
  const result = await run(['audit', 'export', '--csv', ...filters]);
  expect(result.code, result.stderr).toBe(0);
  return csvRows(result.stdout);
}

const NEW_PASSPHRASE = 'a brand new vault passphrase';
const work = mkdtempSync(join(tmpdir(), 'carddesk-cli-audit-files-'));
const file = (name: string): string => join(work, name);
const pass = `${PASSPHRASE}\n`;

/** The write commands this file runs (the others run in vault-cli and card-lifecycle-cli), in order, each preparing the next. */
const here: Record<string, () => Promise<CliResult>> = {
  'card verify-pin': () => run(['card', 'verify-pin', ...reader], `${FACTORY.PIN}\n`),
  'card change-pin': () => run(['card', 'change-pin', ...reader], `${FACTORY.PIN}\n80421357\n`),
  'card change-puk': () => run(['card', 'change-puk', ...reader], `${FACTORY.PUK}\n64209753\n`),
  'card unblock': () => run(['card', 'unblock', ...reader], '64209753\n31415926\n'),
  'card set-retries': () => run(['card', 'set-retries', '--pin-tries', '5', '--puk-tries', '4', ...reader], '31415926\n64209753\n'),
  // A CA made by OpenSSL, imported from its PKCS#12 file (password first, then the vault passphrase).
  'ca import': async () => {
    const made = await toolAsync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384', '-nodes', '-keyout', file('ca.key'), '-out', file('ca.pem'), '-subj', '/CN=Imported CA/O=Test', '-days', '365', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
    expect(made.code, made.stderr).toBe(0);
    const packed = await toolAsync('openssl', ['pkcs12', '-export', '-inkey', file('ca.key'), '-in', file('ca.pem'), '-out', file('ca.p12'), '-passout', 'pass:p12-S3cret']);
    expect(packed.code, packed.stderr).toBe(0);
    return run(['ca', 'import', file('ca.p12')], `p12-S3cret\n${pass}`);
  },
  'holder update': () => run(['holder', 'update', personalNumber(1), '--mobile', '+38344999999'], pass),
  'holder card-add': () => run(['holder', 'card-add', 'CLI-AUDIT-1', '--holder', personalNumber(1)], pass),
  'credential issue': () => run(['credential', 'issue', '--name', 'nightly-crl', '--role', 'caAdministrator', '--out', file('nightly.credential')]),
  'credential revoke': async () => {
    const listed = await run(['credential', 'list']);
    expect(listed.code, listed.stderr).toBe(0);
    const [credential] = JSON.parse(listed.stdout) as { id: string; name: string }[];
    expect(credential?.name).toBe('nightly-crl');
    return run(['credential', 'revoke', credential?.id ?? '']);
  },
  'ca renew': async () => {
    writeFileSync(file('key.pub'), generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'pem', type: 'spki' }));
    const issued = await run(['ca', 'issue', '--profile', 'authentication', '--public-key', file('key.pub'), '--holder', personalNumber(1), '--out', file('issued.pem')], pass);
    expect(issued.code, issued.stderr).toBe(0);
    const serial = new X509Certificate(readFileSync(file('issued.pem'))).serialNumber.replace(/^0+/, '');
    return run(['ca', 'renew', serial, '--out', file('renewed.pem')], pass);
  },
  // Runs until interrupted: started, then stopped with SIGTERM as a service manager would.
  'ca ocsp': async () => {
    const responder = carddeskSession(['ca', 'ocsp', '--port', String(await freePort())], { home, input: pass });
    await responder.waitFor(/listening/);
    responder.signal('SIGTERM');
    return responder.done;
  },
  'ca base-url': () => run(['ca', 'base-url', 'http://pki.cli-audit.example:8080/'], pass),
  'listener set': () => run(['listener', 'set', '--on', '--address', '127.0.0.1', '--port', '18080'], pass),
  'card policy': () => run(['card', 'policy', '--pin-length', '8'], pass),
  // An administrator's template: the built-in English one with one more clause.
  'contract template set': () => {
    writeFileSync(file('contract.en.txt'), `${readFileSync(join(import.meta.dirname, '../../resources/contracts/templates/contract.en.txt'), 'utf8')}\nThe desk may be audited.\n`);
    return run(['contract', 'template', 'set', '--language', 'en', file('contract.en.txt')], pass);
  },
  'contract template reset': () => run(['contract', 'template', 'reset', '--language', 'en'], pass),
  'vault passphrase': () => run(['vault', 'passphrase'], `${PASSPHRASE}\n${NEW_PASSPHRASE}\n${NEW_PASSPHRASE}\n`),
  'audit verify': () => run(['audit', 'verify']),
  'audit export': () => run(['audit', 'export', '--json']),
};
const secrets = [FACTORY.PIN, FACTORY.PUK, '80421357', '64209753', '31415926', PASSPHRASE, NEW_PASSPHRASE, 'p12-S3cret'];

function commandNames(command: Command, prefix = ''): string[] {
  return command.commands.flatMap((sub) => {
    const name = `${prefix}${sub.name()}`;
    return sub.commands.length > 0 ? commandNames(sub, `${name} `) : [name];
  });
}

describe('carddesk and the audit log', () => {
  beforeAll(async () => {
    // The first command creates the virtual card in the data folder.
    const status = await run(['card', 'status', ...reader]);
    expect(status.code, status.stderr).toBe(0);
    const init = await run(['vault', 'init'], `${PASSPHRASE}\n${PASSPHRASE}\n`);
    expect(init.code, init.stderr).toBe(0);
    const added = await run(['holder', 'add', '--personal-number', personalNumber(1), '--first-name', 'Ada', '--last-name', 'Audit', '--email', 'ada@example.org']);
    expect(added.code, added.stderr).toBe(0);
  });

  it('knows, for every command, whether it changes state, and a test runs each that does', () => {
    const all = commandNames(buildProgram());
    expect(all.filter((name) => !(name in cliWrites) && !(name in cliReads))).toEqual([]);
    expect(all.filter((name) => name in cliWrites && name in cliReads)).toEqual([]);
    const runHere = Object.entries(cliWrites).filter(([, write]) => write.test === 'cli-audit').map(([name]) => name);
    expect(Object.keys(here).sort()).toEqual(runHere.sort());
  });

  it('records an event for every command that changes state, and no secret', async () => {
    for (const [name, command] of Object.entries(here)) {
      const action = cliWrites[name]?.action;
      const before = (await exported()).length;
      const result = await command();
      expect(result.code, `${name}: ${result.stderr}`).toBe(0);
      const after = await exported();
      // One more row than before for the command, one for the export that read it back before.
      const added = after.slice(before);
      expect(added.map((row) => row['action']), name).toContain(action);
      expect(added.find((row) => row['action'] === action)).toMatchObject({ channel: 'cli', actorKind: 'operator', outcome: 'success' });
    }
    const fields = allLines(join(home, 'audit'))
      .map((line) => {
        const { prev: _p, hash: _h, signature: _s, publicKey: _k, keyId: _i, ...rest } = JSON.parse(line.text) as Record<string, unknown>;
        return JSON.stringify(rest);
      })
      .join('\n');
    // The automation credential's secret, written to its file by `credential issue`, is in no record either.
    for (const secret of [...secrets, readFileSync(file('nightly.credential'), 'utf8').trim()]) expect(fields).not.toContain(secret);
  });

  it('records failures too, and exports with filters', async () => {
    const wrong = await run(['card', 'verify-pin', ...reader], '00000000\n');
    expect(wrong.code).toBe(3);
    const failures = await exported('--outcome', 'failure', '--action', 'card.pinVerify');
    expect(failures.at(-1)).toMatchObject({ action: 'card.pinVerify', outcome: 'failure', reason: 'wrongPin', details: expect.stringContaining('triesLeft=') });
    expect(failures.every((row) => row['outcome'] === 'failure' && row['action'] === 'card.pinVerify')).toBe(true);
    expect(await exported('--from', '2000-01-01', '--to', '2001-01-01')).toEqual([]);
    const json = await run(['audit', 'export', '--json', '--actor', 'nobody-at-all']);
    expect(json.stdout).toBe('');
  });

  it('signs with the audit key in the vault: commands while locked are not yet signed, the next unlock signs them', async () => {
    const vaultJson = readFileSync(join(home, 'vault', 'vault.json'), 'utf8');
    expect(vaultJson).not.toContain('PRIVATE KEY');
    expect(existsSync(join(home, 'audit-signing-key.pem'))).toBe(false);
    const keyId = (JSON.parse(vaultJson) as { auditKey: { keyId: string } }).auditKey.keyId;
    expect(keyId).toMatch(/^[0-9a-f]{64}$/);

    // A PIN check never unlocks the vault (the PIN may have been changed above: right or wrong, it is recorded).
    await run(['card', 'verify-pin', ...reader], `${FACTORY.PIN}\n`);
    const locked = await run(['audit', 'verify', '--json']);
    expect(locked.code, locked.stdout).toBe(0);
    const lockedReport = JSON.parse(locked.stdout) as { intact: boolean; unsigned: number; deskKeyId: string; keyIds: string[] };
    expect(lockedReport).toMatchObject({ intact: true, deskKeyId: keyId });
    expect(lockedReport.unsigned).toBeGreaterThanOrEqual(1);
    expect(lockedReport.keyIds.at(-1)).toBe(keyId);
    expect((await run(['audit', 'verify'])).stdout).toContain('not yet signed (the vault has been locked since)');

    // Whichever passphrase the vault has by now (the commands above may have changed it).
    let unlocked = await run(['vault', 'unlock'], `${NEW_PASSPHRASE}\n`);
    if (unlocked.code !== 0) unlocked = await run(['vault', 'unlock'], pass);
    expect(unlocked.code, unlocked.stderr).toBe(0);
    const signed = JSON.parse((await run(['audit', 'verify', '--json'])).stdout) as { intact: boolean; unsigned: number; lastSeq: number; signedThrough: number };
    expect(signed).toMatchObject({ intact: true, unsigned: 0 });
    expect(signed.signedThrough).toBe(signed.lastSeq);
  });

  it('verify says INTACT (exit 0), then finds a changed record and says where (exit 2)', async () => {
    const intact = await run(['audit', 'verify']);
    expect(intact.code, intact.stdout).toBe(0);
    expect(intact.stdout).toContain('INTACT');
    const target = allLines(join(home, 'audit')).find((line) => line.text.includes('"action":"card.pinChange"'));
    if (target === undefined) throw new Error('no card.pinChange event');
    const path = join(home, 'audit', target.segment);
    writeFileSync(path, readFileSync(path, 'utf8').replace(target.text, target.text.replace('"outcome":"success"', '"outcome":"failure"')));
    const tampered = await run(['audit', 'verify', '--json']);
    expect(tampered.code).toBe(2);
    const report = JSON.parse(tampered.stdout) as { intact: boolean; problems: { kind: string; segment: string; line: number }[] };
    expect(report.intact).toBe(false);
    expect(report.problems[0]).toMatchObject({ kind: 'changed', segment: target.segment, line: target.line });
  });
});
