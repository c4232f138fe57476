/**
 * PIN letters printed through a real CUPS scheduler: a private cupsd (test/support/cups.ts, its own
 * socket and folders; the machine's CUPS is never touched) with queues that print into files. First
 * the service with the desk's CUPS printer, on a real vault and a card issued on the in-process
 * virtual card: the printer chosen in the letter settings (an unknown one refused), the PIN letter
 * printed — the queue's file holds exactly the letter's bytes and poppler's pdftotext reads the
 * holder's name and the PIN from it — the letter recorded as sent via the printer, with the queue
 * and job in the audit event and no PIN anywhere in the audit trail or the log; a queue that refuses
 * jobs and a stopped scheduler leave the letter waiting, private (0600), with the reason said. Then
 * the CLI (`carddesk letter printer`, `letter send --to printer`) on the real stack: a card issued
 * on the virtual PIV card in a vpcd reader of the real pcscd, its user-number letter printed the
 * same way. Runs in the sandbox (pcscd).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cupsPrinter, findCupsPrinter, findExecutable } from '../../electron/core/letters/cups-printer';
import { LetterService, type LetterPrinter } from '../../electron/core/letters/letter-service';
import type { Logger } from '../../electron/core/log/logger';
import { DeskSettingsStore } from '../../electron/core/settings/desk-settings';
import type { Letter } from '../../electron/shared/schemas/lifecycle';
import { CardInReader } from '../support/card-in-reader';
import { carddesk, type CliResult } from '../support/cli';
import { unrecordedCommands } from '../support/cli-audit';
import { PrivateCups } from '../support/cups';
import { blankCard, letterText, lifecycleRig, READER, secretsIn, type LifecycleRig } from '../support/lifecycle-rig';
import { Pcscd } from '../support/pcscd';
import { operator, PASSPHRASE, personalNumber, tempHome } from '../support/vault-fixtures';

let cups: PrivateCups;

beforeAll(async () => {
  cups = await PrivateCups.start();
  await cups.addQueue('Mailroom');
  await cups.addQueue('Basement', { default: true });
}, 60_000);

afterAll(async () => {
  await cups?.dispose();
});

const containsSecret = (text: string, secret: string): boolean => new RegExp(`(?<![0-9])${secret}(?![0-9])`).test(text);
const pdfText = (file: string): string => execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');

describe('the desk printer on CUPS', () => {
  let rig: LifecycleRig;
  /** The desk's one settings store over the rig's data folder, as the app has. */
  let settings: DeskSettingsStore;
  const logged: string[] = [];
  const log: Logger = {
    info: (message, fields) => void logged.push(JSON.stringify({ message, fields })),
    warn: (message, fields) => void logged.push(JSON.stringify({ message, fields })),
    error: (message, fields) => void logged.push(JSON.stringify({ message, fields })),
  };
  const printer = (): LetterPrinter => {
    const found = findCupsPrinter({ env: cups.env, log });
    if (found === null) throw new Error('lp and lpstat are not on PATH: install cups-client (see README, test bed)');
    return found;
  };
  const service = (letterPrinter: LetterPrinter | null = printer()): LetterService =>
    new LetterService({ outbox: rig.deps.outbox, audit: rig.audit, settings, printer: letterPrinter });

  async function issue(n: number): Promise<{ holderId: string; serial: string; pin: string; puk: string; letters: Letter[] }> {
    const holder = await rig.newHolder(n, { firstName: 'Arbër', lastName: 'Çela', street: 'Rruga B 12', postcode: '10000', city: 'Prishtinë', country: 'XK' });
    rig.card = await blankCard();
    const result = await rig.issuer.issue({ reader: READER, holderId: holder.id }, operator);
    if (!result.ok) throw new Error(`issuance stopped: ${result.reason}`);
    const { pin, puk } = secretsIn(letterText(rig, result.letters.find((l) => l.kind === 'pin')!.fileName));
    return { holderId: holder.id, serial: result.serial, pin, puk: puk!, letters: result.letters };
  }

  beforeAll(async () => {
    rig = await lifecycleRig();
    settings = await new DeskSettingsStore(rig.home).open();
  }, 60_000);

  afterAll(() => rig?.close());

  it('finds CUPS by its commands on PATH, and finds none where they are absent', () => {
    expect(findExecutable('lp')).not.toBeNull();
    const empty = mkdtempSync(join(tmpdir(), 'carddesk-no-cups-'));
    expect(findCupsPrinter({ env: { ...cups.env, PATH: empty } })).toBeNull();
  });

  it('lists the queues that accept jobs and the default, in Settings', async () => {
    expect(await printer().printers()).toEqual({ ok: true, queues: ['Basement', 'Mailroom'].sort(), defaultQueue: 'Basement' });
    const settings = await service().settings();
    expect(settings).toMatchObject({ printing: true, printSystem: 'ready', defaultPrinter: 'Basement' });
    expect([...settings.printers].sort()).toEqual(['Basement', 'Mailroom']);
    expect(await service(null).settings()).toMatchObject({ printing: false, printSystem: 'absent', printers: [] });
  });

  it('prints the PIN letter on the chosen queue: exactly its bytes, sent via the printer, no PIN in the audit trail or log', async () => {
    const issued = await issue(1);
    const fileName = issued.letters.find((l) => l.kind === 'pin')!.fileName;
    const outboxFile = join(rig.home, 'outbox', fileName);
    expect(statSync(outboxFile).mode & 0o777).toBe(0o600);
    const bytes = readFileSync(outboxFile);

    expect(await service().updateSettings({ folder: null, printer: 'Nowhere' }, operator)).toEqual({ ok: false, problem: 'unknownPrinter' });
    expect(await service().updateSettings({ folder: null, printer: 'Mailroom' }, operator)).toMatchObject({ ok: true, settings: { printer: 'Mailroom' } });

    const sent = await service().send(fileName, 'printer', operator);
    expect(sent).toMatchObject({ ok: true, letter: { fileName, state: 'sent', sentVia: 'printer' } });
    const printed = await cups.printed('Mailroom');
    expect(printed.equals(bytes)).toBe(true);
    const text = pdfText(cups.printedFile('Mailroom'));
    expect(text).toContain('Arbër Çela');
    expect(containsSecret(text, issued.pin)).toBe(true);
    // The desk keeps no copy of a sent PIN letter; the default queue printed nothing.
    expect(() => statSync(outboxFile)).toThrow();
    expect(() => statSync(cups.printedFile('Basement'))).toThrow();

    const event = rig.audit.events.findLast((e) => e.action === 'letter.send' && e.outcome === 'success');
    expect(event).toMatchObject({ holderId: issued.holderId, cardSerial: issued.serial, details: { letter: 'pin', route: 'printer', printer: 'Mailroom', file: fileName } });
    expect(String(event?.details?.['job'])).toMatch(/^Mailroom-\d+$/);
    for (const secret of [issued.pin, issued.puk]) {
      expect(containsSecret(JSON.stringify(rig.audit.events), secret), 'a PIN or PUK reached the audit trail').toBe(false);
      expect(containsSecret(logged.join('\n'), secret), 'a PIN or PUK reached the log').toBe(false);
    }
  }, 60_000);

  it('leaves the letter waiting and private when the queue refuses the job or the scheduler is stopped', async () => {
    const issued = await issue(2);
    const fileName = issued.letters.find((l) => l.kind === 'pin')!.fileName;
    const outboxFile = join(rig.home, 'outbox', fileName);
    const waiting = () => service(null).list(issued.holderId).find((l) => l.fileName === fileName)?.state;

    await cups.reject('Mailroom');
    expect(await printer().printers()).toEqual({ ok: true, queues: ['Basement'], defaultQueue: 'Basement' });
    // The queue no longer accepts jobs: the service does not even hand it the letter.
    expect(await service().send(fileName, 'printer', operator)).toEqual({ ok: false, reason: 'noPrinter' });
    // lp itself, asked to print there anyway, is refused by the scheduler: a value, not a stack.
    expect(await printer().print(outboxFile, 'Mailroom')).toMatchObject({ ok: false, problem: 'refused', message: expect.stringContaining('not accepting jobs') as unknown });
    expect(await printer().print(outboxFile, 'Nowhere')).toMatchObject({ ok: false, problem: 'noPrinter' });
    expect(waiting()).toBe('waiting');
    expect(statSync(outboxFile).mode & 0o777).toBe(0o600);

    await cups.stop();
    try {
      expect(await service().send(fileName, 'printer', operator)).toEqual({ ok: false, reason: 'printSystemDown' });
      expect(await printer().print(outboxFile, 'Basement')).toMatchObject({ ok: false, problem: 'schedulerDown' });
      expect(await service().settings()).toMatchObject({ printing: true, printSystem: 'stopped', printers: [] });
      expect(await service().updateSettings({ folder: null, printer: 'Basement' }, operator)).toEqual({ ok: false, problem: 'printSystemDown' });
      expect(rig.audit.events.at(-2)).toMatchObject({ action: 'letter.send', outcome: 'failure', reason: 'printSystemDown', details: { route: 'printer', file: fileName } });
      expect(waiting()).toBe('waiting');
      expect(statSync(outboxFile).mode & 0o777).toBe(0o600);
    } finally {
      await cups.resume();
      execFileSync('cupsaccept', ['Mailroom'], { env: cups.env });
    }
    expect(containsSecret(logged.join('\n'), issued.pin)).toBe(false);
  }, 60_000);

  it('does not let a hung lp hang the desk', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'carddesk-hung-lp-'));
    const hung = join(dir, 'lp');
    writeFileSync(hung, '#!/bin/sh\nexec sleep 60\n');
    chmodSync(hung, 0o755);
    const started = Date.now();
    const result = await cupsPrinter({ commands: { lp: hung, lpstat: findExecutable('lpstat')! }, env: cups.env, printTimeoutMs: 500 }).print(join(dir, 'letter.pdf'), 'Mailroom');
    expect(result).toMatchObject({ ok: false, problem: 'timeout' });
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('carddesk letter printer / send --to printer', () => {
  const home = tempHome('carddesk-letters-print-cli-');
  let pcscd: Pcscd;
  let card: CardInReader;
  const cd = (args: string[], input = `${PASSPHRASE}\n`): Promise<CliResult> => carddesk(args, { home, input, timeoutMs: 90_000, env: { CUPS_SERVER: cups.socket } });

  beforeAll(async () => {
    pcscd = await Pcscd.ensure();
    expect((await cd(['vault', 'init'], `${PASSPHRASE}\n${PASSPHRASE}\n`)).code).toBe(0);
    expect((await cd(['ca', 'init', '--algorithm', 'p384', '--root-name', 'CN=Print CLI Root, O=CardDesk Test', '--issuing-name', 'CN=Print CLI Issuing, O=CardDesk Test'])).code).toBe(0);
    const added = await cd(['holder', 'add', '--personal-number', personalNumber(801), '--first-name', 'Ada', '--last-name', 'Lovelace', '--street', 'Dam 1', '--postcode', '1012 js', '--city', 'Amsterdam', '--country', 'nl'], '');
    expect(added.code, added.stderr).toBe(0);
    card = await CardInReader.create(1, { serial: 50_801_001 });
    await card.insert();
  }, 180_000);

  afterAll(async () => {
    await card?.remove();
    await pcscd?.stop();
  });

  it('chooses a printer from the listed queues and prints a letter there', async () => {
    const issued = await cd(['card', 'issue', '--holder', personalNumber(801), '--json', '--yes', '--reader', card.readerName]);
    expect(issued.code, issued.stderr).toBe(0);
    const letters = (JSON.parse(issued.stdout) as { letters: { kind: string; fileName: string }[] }).letters;
    const numberLetter = letters.find((l) => l.kind === 'userNumber')!.fileName;
    const pinLetter = letters.find((l) => l.kind === 'pin')!.fileName;
    const numberBytes = readFileSync(join(home, 'outbox', numberLetter));

    const listed = await cd(['letter', 'printer'], '');
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain('Basement  (system default)');
    expect(listed.stdout).toContain('Mailroom');
    const unknown = await cd(['letter', 'printer', 'Nowhere'], '');
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('there is no printer Nowhere');
    const chosen = await cd(['letter', 'printer', 'Mailroom'], '');
    expect(chosen.code, chosen.stderr).toBe(0);
    expect((await cd(['letter', 'printer'], '')).stdout).toContain('* Mailroom');

    rmSync(cups.printedFile('Mailroom'), { force: true });
    const sent = await cd(['letter', 'send', numberLetter, '--to', 'printer'], '');
    expect(sent.code, sent.stderr).toBe(0);
    expect(sent.stdout).toContain(`${numberLetter}: sent (printer)`);
    expect((await cups.printed('Mailroom')).equals(numberBytes)).toBe(true);
    expect(pdfText(cups.printedFile('Mailroom'))).toContain('Ada Lovelace');

    // With the scheduler stopped the PIN letter is refused in words and stays in the outbox, private.
    await cups.stop();
    try {
      const down = await cd(['letter', 'send', pinLetter, '--to', 'printer'], '');
      expect(down.code).toBe(3);
      expect(down.stderr).toContain('the print system (CUPS) on this computer is not running');
      expect(statSync(join(home, 'outbox', pinLetter)).mode & 0o777).toBe(0o600);
    } finally {
      await cups.resume();
    }
    const after = JSON.parse((await cd(['letter', 'list', '--holder', personalNumber(801), '--json'], '')).stdout) as { fileName: string; kind: string; state: string; sentVia: string | null }[];
    // The recovery-code letter of the issuance waits too (not sent in this test).
    const recovery = after.find((l) => l.kind === 'recoveryCode')?.fileName;
    expect(recovery).toBeDefined();
    expect(after.map((l) => [l.fileName, l.state, l.sentVia]).sort()).toEqual([[numberLetter, 'sent', 'printer'], [pinLetter, 'waiting', null], [recovery, 'waiting', null]].sort());
    expect(await unrecordedCommands('letters-print', (args) => cd(args, ''))).toEqual([]);
  }, 180_000);
});
