/**
 * Sending letters from the desk, against a real vault and a card issued on the in-process virtual
 * card: the drop folder (temporary file, renamed, 0600, PIN letter gone from the outbox, recorded
 * as sent, no PIN in the audit trail), the printer route refused without a printer and taken with
 * one (a recording printer here, in addition to the real CUPS of test/integration/letters-print),
 * and every refusal as a value.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blankCard, letterText, lifecycleRig, READER, secretsIn, type LifecycleRig } from '../../../test/support/lifecycle-rig';
import { operator } from '../../../test/support/vault-fixtures';
import type { Letter } from '../../shared/schemas/lifecycle';
import { DeskSettingsStore } from '../settings/desk-settings';
import { LetterService, type LetterPrinter } from './letter-service';

let rig: LifecycleRig;
/** The desk's one settings store over the rig's data folder, as the app has. */
let settings: DeskSettingsStore;

beforeAll(async () => {
  rig = await lifecycleRig();
  settings = await new DeskSettingsStore(rig.home).open();
}, 60_000);

afterAll(() => rig?.close());

const address = { street: 'Rruga B 12', postcode: '10000', city: 'Prishtinë', country: 'XK' };

function service(printer: LetterPrinter | null = null): LetterService {
  return new LetterService({ outbox: rig.deps.outbox, audit: rig.audit, settings, printer });
}

async function issue(n: number): Promise<{ holderId: string; serial: string; pin: string; puk: string; letters: Letter[] }> {
  const holder = await rig.newHolder(n, { firstName: 'Arbër', lastName: 'Çela', ...address });
  rig.card = await blankCard();
  const result = await rig.issuer.issue({ reader: READER, holderId: holder.id }, operator);
  if (!result.ok) throw new Error(`issuance stopped: ${result.reason}`);
  const { pin, puk } = secretsIn(letterText(rig, result.letters[0]!.fileName));
  return { holderId: holder.id, serial: result.serial, pin, puk: puk!, letters: result.letters };
}

const pinLetterOf = (letters: Letter[]): string => letters.find((l) => l.kind === 'pin')!.fileName;
const numberLetterOf = (letters: Letter[]): string => letters.find((l) => l.kind === 'userNumber')!.fileName;

describe('sending letters', () => {
  it('puts the PIN letter in the drop folder whole, private and recorded, and keeps no copy', async () => {
    const drop = mkdtempSync(join(tmpdir(), 'carddesk-drop-'));
    const letters = service();
    expect(await letters.updateSettings({ folder: drop, printer: null }, operator)).toMatchObject({ ok: true, settings: { folder: drop, printing: false } });
    const issued = await issue(1);
    const fileName = pinLetterOf(issued.letters);
    expect(letters.list(issued.holderId).map((l) => [l.kind, l.state])).toEqual(expect.arrayContaining([['pin', 'waiting'], ['userNumber', 'waiting']]));

    const sent = await letters.send(fileName, 'folder', operator);
    expect(sent).toMatchObject({ ok: true, letter: { fileName, state: 'sent', sentVia: 'folder' } });
    // Only the letter, under its own name (no temporary file left, no PIN in the name).
    expect(readdirSync(drop)).toEqual([fileName]);
    expect(fileName).not.toContain(issued.pin);
    const target = join(drop, fileName);
    expect(statSync(target).mode & 0o777).toBe(0o600);
    const text = execFileSync('pdftotext', ['-layout', target, '-'], { encoding: 'utf8' });
    for (const expected of ['Arbër Çela', 'Rruga B 12', '10000 Prishtinë', 'KOSOVO', issued.pin, issued.puk]) expect(text).toContain(expected);
    expect(existsSync(join(rig.home, 'outbox', fileName))).toBe(false);
    expect(letters.list(issued.holderId).find((l) => l.fileName === fileName)).toMatchObject({ state: 'sent', sentVia: 'folder' });

    const event = rig.audit.events.find((e) => e.action === 'letter.send' && e.outcome === 'success');
    expect(event).toMatchObject({ holderId: issued.holderId, cardSerial: issued.serial, details: { letter: 'pin', route: 'folder', file: fileName } });
    const trail = JSON.stringify(rig.audit.events);
    expect(trail).not.toMatch(new RegExp(`(?<![0-9])(${issued.pin}|${issued.puk})(?![0-9])`));

    expect(await letters.send(fileName, 'folder', operator)).toEqual({ ok: false, reason: 'alreadySent' });
  }, 60_000);

  it('refuses the printer route where nothing can print silently, and the letter waits', async () => {
    const issued = await issue(2);
    const fileName = pinLetterOf(issued.letters);
    expect(await service(null).send(fileName, 'printer', operator)).toEqual({ ok: false, reason: 'printerUnavailable' });
    expect(existsSync(join(rig.home, 'outbox', fileName))).toBe(true);
    expect(rig.audit.events.at(-1)).toMatchObject({ action: 'letter.send', outcome: 'failure', reason: 'printerUnavailable', details: { route: 'printer' } });
    expect(service().list(issued.holderId).find((l) => l.fileName === fileName)?.state).toBe('waiting');

    const printed: [string, string | null][] = [];
    const printer: LetterPrinter = {
      printers: () => Promise.resolve({ ok: true, queues: ['Mailroom'], defaultQueue: null }),
      print: (path, name) => Promise.resolve({ ok: true, job: `${name ?? ''}-${printed.push([path, name])}` }),
    };
    expect(await service(printer).updateSettings({ folder: null, printer: 'Nowhere' }, operator)).toEqual({ ok: false, problem: 'unknownPrinter' });
    // No printer chosen and no system default: the service says so before anything is printed.
    expect(await service(printer).send(fileName, 'printer', operator)).toEqual({ ok: false, reason: 'noPrinter' });
    expect(await service(printer).updateSettings({ folder: null, printer: 'Mailroom' }, operator)).toMatchObject({ ok: true, settings: { printer: 'Mailroom', printing: true, printers: ['Mailroom'], printSystem: 'ready' } });
    expect(await service(printer).send(fileName, 'printer', operator)).toMatchObject({ ok: true, letter: { state: 'sent', sentVia: 'printer' } });
    expect(printed).toEqual([[join(rig.home, 'outbox', fileName), 'Mailroom']]);
    expect(existsSync(join(rig.home, 'outbox', fileName))).toBe(false);
    expect(rig.audit.events.at(-1)).toMatchObject({ action: 'letter.send', outcome: 'success', details: { route: 'printer', printer: 'Mailroom', job: 'Mailroom-1' } });

    const other = numberLetterOf(issued.letters);
    const failing = (problem: 'refused' | 'timeout' | 'schedulerDown'): LetterPrinter => ({
      printers: () => Promise.resolve(problem === 'schedulerDown' ? { ok: false, problem, message: 'not running' } : { ok: true, queues: ['Mailroom'], defaultQueue: 'Mailroom' }),
      print: () => Promise.resolve({ ok: false, problem, message: 'paper jam' }),
    });
    expect(await service(failing('refused')).send(other, 'printer', operator)).toEqual({ ok: false, reason: 'printFailed' });
    expect(await service(failing('timeout')).send(other, 'printer', operator)).toEqual({ ok: false, reason: 'printFailed' });
    expect(await service(failing('schedulerDown')).send(other, 'printer', operator)).toEqual({ ok: false, reason: 'printSystemDown' });
    // The printer chosen in Settings must still be one the system lists.
    const elsewhere: LetterPrinter = { printers: () => Promise.resolve({ ok: true, queues: ['Basement'], defaultQueue: 'Basement' }), print: () => Promise.reject(new Error('not reached')) };
    expect(await service(elsewhere).send(other, 'printer', operator)).toEqual({ ok: false, reason: 'noPrinter' });
    expect(service().list(issued.holderId).find((l) => l.fileName === other)?.state).toBe('waiting');
  }, 60_000);

  it('opens a user-number letter, never a PIN letter, and marks a letter sent by hand', async () => {
    const issued = await issue(3);
    const letters = service();
    await expect(letters.preview(pinLetterOf(issued.letters))).rejects.toMatchObject({ code: 'INVALID_STATE' });
    const preview = await letters.preview(numberLetterOf(issued.letters));
    expect(Buffer.from(preview.base64, 'base64').subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(await letters.markSent(numberLetterOf(issued.letters), operator)).toMatchObject({ ok: true, letter: { state: 'sent', sentVia: 'manual' } });
    // The user-number letter stays to be opened again; the PIN letter marked by hand leaves the outbox.
    expect(existsSync(join(rig.home, 'outbox', numberLetterOf(issued.letters)))).toBe(true);
    expect(await letters.markSent(pinLetterOf(issued.letters), operator)).toMatchObject({ ok: true });
    expect(existsSync(join(rig.home, 'outbox', pinLetterOf(issued.letters)))).toBe(false);
    expect(await letters.markSent(pinLetterOf(issued.letters), operator)).toEqual({ ok: false, reason: 'alreadySent' });
  }, 60_000);

  it('refuses a withdrawn letter, a missing drop folder, and a name already in the folder', async () => {
    const issued = await issue(4);
    const letters = service();
    await rig.deps.outbox.withdraw([numberLetterOf(issued.letters)]);
    expect(await letters.send(numberLetterOf(issued.letters), 'folder', operator)).toEqual({ ok: false, reason: 'withdrawn' });

    const drop = mkdtempSync(join(tmpdir(), 'carddesk-drop-'));
    await letters.updateSettings({ folder: null, printer: null }, operator);
    expect(await letters.send(pinLetterOf(issued.letters), 'folder', operator)).toEqual({ ok: false, reason: 'noFolder' });
    await letters.updateSettings({ folder: drop, printer: null }, operator);
    writeFileSync(join(drop, pinLetterOf(issued.letters)), 'someone else’s file');
    expect(await letters.send(pinLetterOf(issued.letters), 'folder', operator)).toEqual({ ok: false, reason: 'alreadyInFolder' });
    expect(existsSync(join(rig.home, 'outbox', pinLetterOf(issued.letters)))).toBe(true);
  }, 60_000);

  it('checks the drop folder it is given', async () => {
    const letters = service();
    const base = mkdtempSync(join(tmpdir(), 'carddesk-drop-'));
    const file = join(base, 'a-file');
    writeFileSync(file, '');
    expect(await letters.updateSettings({ folder: 'relative/path', printer: null }, operator)).toEqual({ ok: false, problem: 'notAbsolute' });
    expect(await letters.updateSettings({ folder: join(base, 'missing'), printer: null }, operator)).toEqual({ ok: false, problem: 'notFound' });
    expect(await letters.updateSettings({ folder: file, printer: null }, operator)).toEqual({ ok: false, problem: 'notFolder' });
    mkdirSync(join(rig.home, 'outbox'), { recursive: true });
    expect(await letters.updateSettings({ folder: join(rig.home, 'outbox'), printer: null }, operator)).toEqual({ ok: false, problem: 'insideOutbox' });
  });
});
