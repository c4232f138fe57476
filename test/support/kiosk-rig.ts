/**
 * What the kiosk tests on real cards share: the CLI on a test's data folder, a card issued to a
 * holder with its PIN and PUK read off the PIN letter (pdftotext), the PIN pad, and a browser-mode
 * host started with `--kiosk` whose desk page has unlocked the vault beside the kiosk page.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openPage, type WatchedPage } from './browser';
import type { CardInReader } from './card-in-reader';
import { carddesk } from './cli';
import { startHostProcess, type HostProcess } from './host-process';
import { deskCall } from './kiosk-desk';
import { PASSPHRASE, personalNumber } from './vault-fixtures';

export type Cli = (args: string[], input?: string) => Promise<{ stdout: string; stderr: string; code: number | null }>;

/** `carddesk …` on this data folder; the vault passphrase is typed unless other input is given; a failure throws with the output. */
export function cliOn(home: string): Cli {
  return async (args, input = `${PASSPHRASE}\n`) => {
    const result = await carddesk(args, { home, input, timeoutMs: 90_000 });
    if (result.code !== 0) throw new Error(`carddesk ${args.join(' ')} failed (${result.code}):\n${result.stdout}\n${result.stderr}`);
    return result;
  };
}

export interface IssuedCard {
  readonly cardState: string;
  readonly pin: string;
  readonly puk: string;
  /** Every letter the issuance wrote to the outbox (PIN, user number, recovery code). */
  readonly letters: readonly { kind: string; fileName: string }[];
}

/** Issues the card in `reader` to the holder with personal number `number` and reads the PIN and PUK off the PIN letter. */
export async function issueCard(cli: Cli, home: string, reader: CardInReader, number: number): Promise<IssuedCard> {
  const issued = JSON.parse((await cli(['card', 'issue', '--yes', '--holder', personalNumber(number), '--json', '--reader', reader.readerName])).stdout) as {
    cardState: string;
    letters: { kind: string; fileName: string }[];
  };
  const letter = execFileSync('pdftotext', ['-layout', join(home, 'outbox', issued.letters.find((l) => l.kind === 'pin')!.fileName), '-'], { encoding: 'utf8' });
  return { cardState: issued.cardState, pin: /PIN\s+(\d{6,8})\b/.exec(letter)?.[1] ?? '', puk: /PUK\s+(\d{8})\b/.exec(letter)?.[1] ?? '', letters: issued.letters };
}

/** Issues and, when the policy asks for it, activates the card at the CLI (the holder signs there). */
export async function issueActiveCard(cli: Cli, home: string, reader: CardInReader, number: number): Promise<IssuedCard> {
  const issued = await issueCard(cli, home, reader, number);
  if (issued.cardState === 'awaitingActivation') await cli(['card', 'activate', '--reader', reader.readerName], `${PASSPHRASE}\n${issued.pin}\n`);
  return issued;
}

/** Types on the on-screen pad, key by key (the keys may be shuffled: each is found by its digit). */
export async function typeOnPad(on: Page, digits: string): Promise<void> {
  for (const digit of digits) await on.getByTestId(`kiosk-pin-key-${digit}`).click();
}

/** Types on the pad and presses OK. */
export async function enterOnPad(on: Page, digits: string): Promise<void> {
  await typeOnPad(on, digits);
  await on.getByTestId('kiosk-pin-key-ok').click();
}

export interface KioskBesideDesk {
  readonly host: HostProcess;
  readonly browser: Browser;
  /** The operator's page of the same host (the vault unlocked there). */
  readonly desk: Page;
  readonly watched: WatchedPage;
  /** The kiosk page, portrait 1080×1920, on the welcome screen. */
  readonly page: Page;
}

/** Starts the host with `--kiosk`, unlocks the vault on its desk page and opens the kiosk page (`beforeKiosk` runs on it before it loads). */
export async function openKioskBesideDesk(home: string, beforeKiosk: (page: Page) => void | Promise<void> = () => {}): Promise<KioskBesideDesk> {
  const host = await startHostProcess({ home, kiosk: true });
  const browser = await launchBrowser();
  const desk = (await openPage(browser)).page;
  await desk.goto(host.deskUrl);
  await desk.waitForFunction(() => 'carddesk' in window, undefined, { timeout: 20_000 });
  await deskCall(desk, 'vault', 'unlock', { passphrase: PASSPHRASE });
  const watched = await openPage(browser);
  const page = watched.page;
  await beforeKiosk(page);
  await page.setViewportSize({ width: 1080, height: 1920 });
  await page.goto(host.url);
  await page.getByTestId('kiosk-insert-card').waitFor({ timeout: 20_000 });
  return { host, browser, desk, watched, page };
}
