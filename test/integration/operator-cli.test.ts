/**
 * `carddesk operator …` as an administrator runs it (issue 17 §1): the first account refused
 * unless it is a CA administrator, accounts added for holders, roles changed, a helpdesk operator
 * suspended, resumed and removed, the last CA administrator kept, and an operator card shown from
 * the CA's own operator certificate (issued by `ca issue --profile operator` for a card of the
 * holder, checked by OpenSSL against the desk's chain), after which the bootstrap is over and the CLI
 * needs a credential. Every command is then found in the audit log.
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { OperatorRecord } from '../../electron/shared/schemas/operators';
import { carddesk, type CliResult } from '../support/cli';
import { unrecordedCommands } from '../support/cli-audit';
import { PASSPHRASE, personalNumber, tempHome } from '../support/vault-fixtures';

const home = tempHome('carddesk-operator-cli-');
/**
 * Once the first operator exists the CLI acts only for an operator or an automation credential
 * (cli-authorisation.ts): the script's credential, issued while the desk is still in its bootstrap,
 * is in CARDDESK_CREDENTIAL for every command (ignored until then).
 */
const credential = join(home, 'operators-script.credential');
const cd = (args: string[], input = ''): Promise<CliResult> => carddesk(args, { home, input, timeoutMs: 90_000, env: { CARDDESK_CREDENTIAL: credential } });
const ada = personalNumber(721);
const grace = personalNumber(722);

async function ok(args: string[], input = ''): Promise<string> {
  const result = await cd(args, input);
  expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
  return result.stdout;
}

const list = async (): Promise<OperatorRecord[]> => JSON.parse(await ok(['operator', 'list', '--json'])) as OperatorRecord[];

beforeAll(async () => {
  await ok(['vault', 'init'], `${PASSPHRASE}\n${PASSPHRASE}\n`);
  await ok(['ca', 'init', '--algorithm', 'p384', '--root-name', 'CN=Operators Root, O=CardDesk Test', '--issuing-name', 'CN=Operators Issuing, O=CardDesk Test'], `${PASSPHRASE}\n`);
  await ok(['holder', 'add', '--personal-number', ada, '--first-name', 'Ada', '--last-name', 'Lovelace', '--email', 'ada@example.org']);
  await ok(['holder', 'add', '--personal-number', grace, '--first-name', 'Grace', '--last-name', 'Hopper', '--email', 'grace@example.org']);
  // The CA administrator's and issuer's work below, as a script does it.
  await ok(['credential', 'issue', '--name', 'operators-script', '--role', 'caAdministrator', '--role', 'issuer', '--out', credential]);
}, 180_000);

describe('carddesk operator', () => {
  it('adds accounts, changes roles, suspends, resumes and removes, and keeps the last CA administrator', async () => {
    expect(await ok(['operator', 'list'])).toContain('No operators yet.');
    const first = await cd(['operator', 'add', '--holder', grace, '--role', 'helpdesk']);
    expect(first.code).not.toBe(0);
    expect(first.stderr).toContain('lastAdministrator');
    const badRole = await cd(['operator', 'add', '--holder', ada, '--role', 'wizard']);
    expect(badRole.code).not.toBe(0);
    expect(badRole.stderr).toContain('--role takes');
    const noRole = await cd(['operator', 'add', '--holder', ada]);
    expect(noRole.code).not.toBe(0);
    expect(noRole.stderr).toContain('--role is needed');

    const admin = JSON.parse(await ok(['operator', 'add', '--holder', ada, '--role', 'caAdministrator', '--role', 'auditor', '--json'])) as OperatorRecord;
    expect(admin).toMatchObject({ name: 'Ada Lovelace', roles: ['caAdministrator', 'auditor'], state: 'active', cards: [] });
    expect(await ok(['operator', 'add', '--holder', grace, '--role', 'helpdesk,issuer'])).toMatch(/^Added: .+Grace Hopper.+active +helpdesk,issuer {2}no operator card/);
    const again = await cd(['operator', 'add', '--holder', grace, '--role', 'auditor']);
    expect(again.stderr).toContain('alreadyOperator');

    // By holder reference (personal number) as well as by operator id.
    expect(await ok(['operator', 'roles', grace, '--role', 'helpdesk'])).toContain('Roles set');
    const stripped = await cd(['operator', 'roles', admin.id, '--role', 'auditor']);
    expect(stripped.code).not.toBe(0);
    expect(stripped.stderr).toContain('lastAdministrator');
    expect((await cd(['operator', 'suspend', ada])).stderr).toContain('lastAdministrator');
    expect((await cd(['operator', 'remove', admin.id])).stderr).toContain('lastAdministrator');

    expect(await ok(['operator', 'suspend', grace])).toMatch(/Suspended: .+suspended/);
    expect(await ok(['operator', 'resume', grace])).toMatch(/Resumed: .+active/);
    expect(await ok(['operator', 'remove', grace])).toMatch(/Removed: .+removed/);
    expect((await cd(['operator', 'resume', grace])).stderr).toContain('removed');
    expect((await cd(['operator', 'suspend', 'no-such-operator'])).stderr).toContain('operatorNotFound');

    // No CA administrator holds an operator card yet: the bootstrap goes on (nobody could sign in).
    expect((await carddesk(['operator', 'list'], { home, timeoutMs: 90_000, env: { CARDDESK_CREDENTIAL: '' } })).code).toBe(0);

    expect((await list()).map((o) => [o.name, o.state, o.roles.join(',')])).toEqual([
      ['Ada Lovelace', 'active', 'caAdministrator,auditor'],
      ['Grace Hopper', 'removed', 'helpdesk'],
    ]);
  }, 240_000);

  it('shows the operator card from the CA’s operator certificate for a card of the holder', async () => {
    await ok(['holder', 'card-add', 'OPCARD-ADA-1', '--holder', ada]);
    const publicKey = join(home, 'operator-card.pub.pem');
    writeFileSync(publicKey, generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'pem', type: 'spki' }));
    const certificate = join(home, 'operator-card.pem');
    await ok(['ca', 'issue', '--profile', 'operator', '--public-key', publicKey, '--holder', ada, '--card', 'OPCARD-ADA-1', '--out', certificate], `${PASSPHRASE}\n`);
    const chain = join(home, 'chain.pem');
    await ok(['ca', 'export', '--ca', '--out', chain]);
    // OpenSSL, not CardDesk, says the certificate is the desk CA's.
    expect(execFileSync('openssl', ['verify', '-CAfile', chain, certificate], { encoding: 'utf8' })).toContain(': OK');
    const serial = execFileSync('openssl', ['x509', '-in', certificate, '-noout', '-serial'], { encoding: 'utf8' }).trim().replace(/^serial=/, '').toLowerCase().replace(/^(00)+/, '');

    const [admin] = await list();
    expect(admin?.cards).toEqual([{ cardSerial: 'OPCARD-ADA-1', certificateSerial: serial, addedAt: expect.any(String) }]);
    expect(await ok(['operator', 'list'])).toContain(`card OPCARD-ADA-1 (certificate ${serial})`);

    // The CA administrator holds an operator card: the bootstrap is over, and the CLI's own check asks
    // this directory: no operator or credential, no answer.
    const anonymous = await carddesk(['operator', 'list'], { home, timeoutMs: 90_000, env: { CARDDESK_CREDENTIAL: '' } });
    expect(anonymous.code).not.toBe(0);
    expect(anonymous.stderr).toContain('needs an operator');
  }, 120_000);

  it('records every operator command in the audit log', async () => {
    expect(await unrecordedCommands('operator-cli', cd)).toEqual([]);
  }, 60_000);
});
