/**
 * The recovery code and the sealed PUK through `carddesk …` on a virtual PIV card in a vpcd reader
 * of the real pcscd (issue 15): issuance writes a recovery-code letter of its own; the operator's
 * PIN reset of a blocked card now goes through RESET RETRY COUNTER with the PUK the vault sealed at
 * issuance (no management key), and OpenSC (pkcs11-tool --login) signs in with the new PIN; the
 * PUK from the letter still works; `holder erc-reset` writes a new letter and withdraws the old.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CardInReader } from '../support/card-in-reader';
import { carddesk, type CliResult } from '../support/cli';
import { unrecordedCommands } from '../support/cli-audit';
import { Pcscd } from '../support/pcscd';
import { run as tool } from '../support/run';
import { PASSPHRASE, personalNumber, tempHome } from '../support/vault-fixtures';

const OPENSC = '/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so';
const home = tempHome('carddesk-recovery-cli-');
const pass = `${PASSPHRASE}\n`;

let pcscd: Pcscd;
let card: CardInReader;

const cd = (args: string[], input = pass): Promise<CliResult> => carddesk(args, { home, input, timeoutMs: 90_000 });
const onReader = (): string[] => ['--reader', card.readerName];
const letterText = (letter: string): string => execFileSync('pdftotext', ['-layout', join(home, 'outbox', letter), '-'], { encoding: 'utf8' });

function pinFrom(letter: string): { pin: string; puk: string | null } {
  const text = letterText(letter);
  return { pin: /PIN\s+(\d{6,8})\b/.exec(text)![1]!, puk: /PUK\s+(\d{8})\b/.exec(text)?.[1] ?? null };
}

const verifyPin = async (pin: string): Promise<boolean> => (await tool('pkcs15-tool', ['--reader', card.readerName, '--verify-pin', '--pin', pin])).code === 0;

beforeAll(async () => {
  pcscd = await Pcscd.ensure();
  expect((await cd(['vault', 'init'], `${PASSPHRASE}\n${PASSPHRASE}\n`)).code).toBe(0);
  const ca = await cd(['ca', 'init', '--algorithm', 'p384', '--root-name', 'CN=Recovery Root, O=CardDesk Test', '--issuing-name', 'CN=Recovery Issuing, O=CardDesk Test']);
  expect(ca.code, ca.stderr).toBe(0);
  expect((await cd(['card', 'policy', '--activation', 'at-issuance'])).code).toBe(0);
  card = await CardInReader.create(1, { serial: 50_000_151 });
  await card.insert();
}, 180_000);

afterAll(async () => {
  await card?.remove();
  await pcscd?.stop();
});

describe('recovery code and sealed PUK on a vpcd card', () => {
  let puk = '';
  let recoveryLetter = '';

  it('issuance writes the recovery code in its own letter (not the PIN letter), never on the terminal', async () => {
    const added = await cd(['holder', 'add', '--personal-number', personalNumber(151), '--first-name', 'Erca', '--last-name', 'Tester', '--email', 'erca@example.org', '--json'], '');
    expect(added.code, added.stderr).toBe(0);
    const result = await cd(['card', 'issue', '--yes', '--holder', personalNumber(151), '--json', ...onReader()]);
    expect(result.code, result.stderr).toBe(0);
    const issued = JSON.parse(result.stdout) as { letters: { kind: string; fileName: string }[] };
    expect(issued.letters.map((l) => l.kind).sort()).toEqual(['pin', 'recoveryCode', 'userNumber']);
    recoveryLetter = issued.letters.find((l) => l.kind === 'recoveryCode')!.fileName;
    const code = /\b([0-9A-Z]{4}(?:-[0-9A-Z]{4}){5})\b/.exec(letterText(recoveryLetter))![1]!;
    expect(result.stdout + result.stderr).not.toContain(code);
    const pinLetter = pinFrom(issued.letters.find((l) => l.kind === 'pin')!.fileName);
    expect(letterText(issued.letters.find((l) => l.kind === 'pin')!.fileName)).not.toContain(code);
    puk = pinLetter.puk!;
    expect(await verifyPin(pinLetter.pin)).toBe(true);
  });

  it('operator PIN reset of a blocked card: RESET RETRY COUNTER with the sealed PUK; OpenSC logs in with the new PIN', async () => {
    for (let i = 0; i < 3; i += 1) await tool('pkcs15-tool', ['--reader', card.readerName, '--verify-pin', '--pin', '00000000']);
    expect(await verifyPin('00000000')).toBe(false);
    const reset = await cd(['card', 'reset-pin', ...onReader()]);
    expect(reset.code, reset.stderr).toBe(0);
    const { pin } = pinFrom(/New PIN letter in the outbox \(.*\): (\S+)/.exec(reset.stdout)![1]!);
    const login = await tool('pkcs11-tool', ['--module', OPENSC, '--slot-description', card.readerName, '--login', '--pin', pin, '--list-objects', '--type', 'privkey']);
    expect(login.code, login.stderr).toBe(0);
    const wrong = await tool('pkcs11-tool', ['--module', OPENSC, '--slot-description', card.readerName, '--login', '--pin', pin === '111111' ? '222222' : '111111', '--list-objects']);
    expect(wrong.code).not.toBe(0);
    // The card took the reset with the PUK (RESET RETRY COUNTER), which still works afterwards.
    const audit = await cd(['audit', 'export', '--json', '--action', 'card.pinReset'], '');
    expect(audit.code, audit.stderr).toBe(0);
    expect(audit.stdout).toContain('resetRetryCounter');
    expect(audit.stdout).not.toContain(puk);
    expect(await verifyPin(pin)).toBe(true);
  });

  it('holder erc-reset writes a new recovery-code letter and withdraws the one still waiting', async () => {
    const reset = await cd(['holder', 'erc-reset', personalNumber(151), '--json']);
    expect(reset.code, reset.stderr).toBe(0);
    const { letter } = JSON.parse(reset.stdout) as { letter: string };
    expect(letter).not.toBe(recoveryLetter);
    expect(letterText(letter)).toMatch(/Your emergency recovery code/);
    const letters = await cd(['letter', 'list', '--holder', personalNumber(151), '--json'], '');
    expect(letters.code, letters.stderr).toBe(0);
    const listed = JSON.parse(letters.stdout) as { fileName: string; state: string }[];
    expect(listed.find((l) => l.fileName === recoveryLetter)?.state).toBe('withdrawn');
    expect(listed.find((l) => l.fileName === letter)?.state).toBe('waiting');
    expect(await unrecordedCommands('recovery-code-cli', (args) => cd(args, ''))).toEqual([]);
  });
});
