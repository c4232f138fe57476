/**
 * `carddesk holder totp …` and `carddesk otp-token …` as an operator runs them: the enrolment
 * prints a terminal QR code and the otpauth URI, oathtool (the independent implementation)
 * computes the code typed back; token seeds come in a PSKC file made by csv2pskc and encrypted
 * under a pre-shared key given as a key file; each write is read back from the audit log.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { carddesk, carddeskSession, type CliResult } from '../support/cli';
import { unrecordedCommands } from '../support/cli-audit';
import { PASSPHRASE, personalNumber, tempHome } from '../support/vault-fixtures';
import { oathtool } from '../support/oathtool';

const home = tempHome('carddesk-2fa-cli-');
const work = mkdtempSync(join(tmpdir(), 'carddesk-2fa-files-'));
const cd = (args: string[], input = `${PASSPHRASE}\n`): Promise<CliResult> => carddesk(args, { home, input, timeoutMs: 90_000 });
const seed = '3f1c2b4d5e6f708192a3b4c5d6e7f8091a2b3c4d';
const key = 'c0ffee00112233445566778899aabbcc';

beforeAll(async () => {
  expect((await cd(['vault', 'init'], `${PASSPHRASE}\n${PASSPHRASE}\n`)).code).toBe(0);
  for (const n of [801, 802]) {
    const added = await cd(['holder', 'add', '--personal-number', personalNumber(n), '--first-name', 'Tess', '--last-name', `Totp${n}`, '--email', `t${n}@example.org`], '');
    expect(added.code, added.stderr).toBe(0);
  }
}, 180_000);

describe('carddesk holder totp / otp-token', () => {
  it('enrols an app from the terminal QR code and URI, confirmed with oathtool’s code; removes it with a reason', async () => {
    const session = carddeskSession(['holder', 'totp', 'enrol', personalNumber(801), '--issuer', 'Test Desk'], { home, input: `${PASSPHRASE}\n`, timeoutMs: 90_000 });
    const printed = await session.waitFor(/Secret \(for typing into the app\): [A-Z2-7]+/, 60_000);
    const uri = /otpauth:\/\/totp\/\S+/.exec(printed)?.[0] ?? '';
    const secret = new URL(uri).searchParams.get('secret') ?? '';
    expect(new URL(uri).searchParams.get('issuer')).toBe('Test Desk');
    // The terminal QR code: block characters above the URI.
    expect(printed.slice(0, printed.indexOf(uri))).toMatch(/[█▀▄]/);
    session.write(`${oathtool(secret)}\n`);
    const done = await session.done;
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toContain('uses an authenticator app');

    expect((await cd(['holder', 'totp', 'remove', personalNumber(801)], '')).code).not.toBe(0); // --reason is required
    const removed = await cd(['holder', 'totp', 'remove', personalNumber(801), '--reason', 'new phone'], '');
    expect(removed.code, removed.stderr).toBe(0);
    // The secret appears in no audit record.
    const exported = await cd(['audit', 'export', '--csv'], '');
    expect(exported.stdout).toContain('secondFactor.remove');
    expect(exported.stdout).not.toContain(secret);
  }, 180_000);

  it('imports an encrypted PSKC file with --key-file, refuses a wrong key, assigns, lists and unassigns', async () => {
    const csv = join(work, 'tokens.csv');
    writeFileSync(csv, `serial,secret,algorithm,response_length,time_interval\nCLI-TOKEN-1,${seed},urn:ietf:params:xml:ns:keyprov:pskc:totp,6,30\n`);
    const pskc = join(work, 'tokens.pskc');
    execFileSync('csv2pskc', ['--secret', key, '-o', pskc, csv]);
    const keyFile = join(work, 'key.hex');
    writeFileSync(keyFile, `${key}\n`);
    const wrongKeyFile = join(work, 'wrong.hex');
    writeFileSync(wrongKeyFile, `${'ab'.repeat(16)}\n`);

    const wrong = await cd(['otp-token', 'import', pskc, '--key-file', wrongKeyFile]);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain('the pre-shared key is wrong');
    const noKey = await cd(['otp-token', 'import', pskc]);
    expect(noKey.code).not.toBe(0);
    expect(noKey.stderr).toContain('--key-file');

    const imported = await cd(['otp-token', 'import', pskc, '--key-file', keyFile]);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toContain('CLI-TOKEN-1  imported');
    const again = await cd(['otp-token', 'import', pskc, '--key-file', keyFile]);
    expect(again.code).not.toBe(0);
    expect(again.stdout).toContain('CLI-TOKEN-1  refused: a token with this serial is imported already');

    const assigned = await cd(['otp-token', 'assign', 'CLI-TOKEN-1', personalNumber(802)], '');
    expect(assigned.code, assigned.stderr).toBe(0);
    const listed = await cd(['otp-token', 'list', '--json'], '');
    expect(JSON.parse(listed.stdout)).toMatchObject([{ serial: 'CLI-TOKEN-1', algorithm: 'SHA1', digits: 6, period: 30 }]);
    expect((JSON.parse(listed.stdout) as { holderId: string | null }[])[0]?.holderId).not.toBeNull();
    const unassigned = await cd(['otp-token', 'unassign', 'CLI-TOKEN-1'], '');
    expect(unassigned.code, unassigned.stderr).toBe(0);
    expect((JSON.parse((await cd(['otp-token', 'list', '--json'], '')).stdout) as { holderId: string | null }[])[0]?.holderId).toBeNull();

    const exported = await cd(['audit', 'export', '--csv'], '');
    expect(exported.stdout).not.toContain(key);
    expect(exported.stdout).not.toContain(seed);
    expect(await unrecordedCommands('second-factor-cli', (args) => cd(args, ''))).toEqual([]);
  }, 240_000);
});
