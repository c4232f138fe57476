/**
 * The CLI signed in with operator cards and held to two-person control (issue 17 §3, §4), through
 * the real `carddesk` on pcscd + vpcd: two CA administrators' operator cards from the real
 * issuance; `carddesk signin` checks the card as the desk's window does; `vault passphrase` asks
 * for a second operator, the requester cannot approve it, a script's credential cannot either, the
 * second operator approves from their own session, the approval runs once and the event names both;
 * `signout` ends the session. Every command here is then found in the audit log.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CardInReader } from '../support/card-in-reader';
import { carddesk, type CliResult } from '../support/cli';
import { csvRows, unrecordedCommands } from '../support/cli-audit';
import { Pcscd } from '../support/pcscd';
import { PASSPHRASE, personalNumber, tempHome } from '../support/vault-fixtures';

const NEW_PASSPHRASE = 'a new passphrase for two';
const home = tempHome('carddesk-operator-signin-');
const file = (name: string): string => join(home, name);
const setup = file('setup.credential');
let pcscd: Pcscd;
const cards: CardInReader[] = [];
const operators: { id: string; pin: string; reader: string }[] = [];

const cd = (args: string[], input = '', credential = setup): Promise<CliResult> => carddesk(args, { home, input, timeoutMs: 90_000, env: { CARDDESK_CREDENTIAL: credential } });
async function ok(args: string[], input = '', credential = setup): Promise<string> {
  const result = await cd(args, input, credential);
  expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
  return result.stdout;
}

function pinFrom(letter: string): string {
  const text = execFileSync('pdftotext', ['-layout', join(home, 'outbox', letter), '-'], { encoding: 'utf8' });
  return /PIN\s+(\d{6,8})\b/.exec(text)![1]!;
}

beforeAll(async () => {
  pcscd = await Pcscd.ensure();
  await ok(['vault', 'init'], `${PASSPHRASE}\n${PASSPHRASE}\n`);
  await ok(['ca', 'init', '--algorithm', 'p384', '--root-name', 'CN=Two Root, O=CardDesk Test', '--issuing-name', 'CN=Two Issuing, O=CardDesk Test'], `${PASSPHRASE}\n`);
  // While nobody can sign in (the bootstrap), a setup script's credential for what follows.
  await ok(['credential', 'issue', '--name', 'setup', '--role', 'caAdministrator', '--role', 'issuer', '--out', setup]);
  for (const [n, first] of [[731, 'Ada'], [732, 'Bob']] as const) {
    const holder = personalNumber(n);
    await ok(['holder', 'add', '--personal-number', holder, '--first-name', first, '--last-name', 'Operator', '--email', `${first.toLowerCase()}@example.org`]);
    const added = JSON.parse(await ok(['operator', 'add', '--holder', holder, '--role', 'caAdministrator', '--json'])) as { id: string };
    const card = await CardInReader.create(cards.length, { serial: 60_000_731 + cards.length });
    await card.insert();
    cards.push(card);
    const issued = JSON.parse(await ok(['card', 'issue', '--yes', '--operator', '--holder', holder, '--json', '--reader', card.readerName], `${PASSPHRASE}\n`)) as { cardState: string; letters: { kind: string; fileName: string }[] };
    const pin = pinFrom(issued.letters.find((l) => l.kind === 'pin')!.fileName);
    if (issued.cardState === 'awaitingActivation') await ok(['card', 'activate', '--reader', card.readerName], `${PASSPHRASE}\n${pin}\n`);
    operators.push({ id: added.id, pin, reader: card.readerName });
  }
}, 300_000);

afterAll(async () => {
  for (const card of cards) await card.remove();
  await pcscd?.stop();
});

describe('carddesk signin and two-person control', () => {
  it('signs operators in with their cards; a wrong PIN is refused in words', async () => {
    const [ada, bob] = operators;
    const wrong = await cd(['signin', '--reader', ada!.reader, '--out', file('ada.session')], '00000000\n', '');
    expect(wrong.code).toBe(3);
    expect(wrong.stderr).toMatch(/The PIN is wrong\. \d tries? left\./);
    expect(await ok(['signin', '--reader', ada!.reader, '--out', file('ada.session')], `${ada!.pin}\n`, '')).toMatch(/Signed in as Ada Operator \(caAdministrator\)/);
    expect(await ok(['signin', '--reader', bob!.reader, '--out', file('bob.session')], `${bob!.pin}\n`, '')).toMatch(/Signed in as Bob Operator/);
    // Without a credential the bootstrap is over: nothing is done as the OS account any more.
    const anonymous = await cd(['holder', 'list'], '', '');
    expect(anonymous.stderr).toContain('needs an operator');
    expect(await ok(['holder', 'list'], '', file('ada.session'))).toContain('Ada');
  }, 120_000);

  it('asks a second operator before changing the vault passphrase, runs the approval once and names both', async () => {
    const [ada, bob] = operators;
    const asked = await cd(['vault', 'passphrase'], `${PASSPHRASE}\n${NEW_PASSPHRASE}\n${NEW_PASSPHRASE}\n`, file('ada.session'));
    expect(asked.code).not.toBe(0);
    expect(asked.stderr).toContain('[APPROVAL_REQUIRED]');
    const code = /Approval code: (\S+)/.exec(asked.stderr)?.[1] ?? '';
    expect(code).toMatch(/^[0-9A-Z]{5}-[0-9A-Z]{5}$/);

    const own = await cd(['approve', code], '', file('ada.session'));
    expect(own.code).toBe(3);
    expect(own.stderr).toContain('Nobody can approve their own request');
    const script = await cd(['approve', code], '', setup);
    expect(script.code).not.toBe(0);
    expect(script.stderr).toContain('not an automation credential');
    const early = await cd(['vault', 'passphrase', '--approval', code], `${PASSPHRASE}\n${NEW_PASSPHRASE}\n${NEW_PASSPHRASE}\n`, file('ada.session'));
    expect(early.stderr).toContain('not been approved');

    expect(await ok(['approve', code], '', file('bob.session'))).toContain(`Approved: vault passphrase`);
    await ok(['vault', 'passphrase', '--approval', code], `${PASSPHRASE}\n${NEW_PASSPHRASE}\n${NEW_PASSPHRASE}\n`, file('ada.session'));
    expect((await cd(['vault', 'unlock'], `${NEW_PASSPHRASE}\n`, file('ada.session'))).code).toBe(0);
    const again = await cd(['vault', 'passphrase', '--approval', code], `${NEW_PASSPHRASE}\n${PASSPHRASE}\n${PASSPHRASE}\n`, file('ada.session'));
    expect(again.stderr).toContain('used already');

    const rows = csvRows(await ok(['audit', 'export', '--csv'], '', file('ada.session')));
    const change = rows.find((row) => row['action'] === 'vault.passphraseChange' && row['outcome'] === 'success');
    expect(change).toMatchObject({ actor: ada!.id, channel: 'cli' });
    expect(change?.['details']).toContain(bob!.id);
  }, 180_000);

  it('signs out: the session is revoked and the next command needs a credential again', async () => {
    const [ada] = operators;
    await ok(['signin', '--reader', ada!.reader], `${ada!.pin}\n`, '');
    expect(await ok(['holder', 'list'], '', '')).toContain('Bob');
    expect(await ok(['signout'], '', '')).toContain('Signed out.');
    expect((await cd(['holder', 'list'], '', '')).stderr).toContain('needs an operator');
  }, 120_000);

  it('records every signin, approval and signout in the audit log', async () => {
    expect(await unrecordedCommands('operator-signin-cli', (args) => cd(args, '', file('bob.session')))).toEqual([]);
  }, 60_000);
});
