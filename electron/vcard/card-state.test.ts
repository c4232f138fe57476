/**
 * The virtual card's memory on disk, written without holding the process that serves the card:
 * what a command changes (a spent PIN try included) is saved, and the save awaited, before the
 * response leaves the card; a card whose memory cannot be written answers 6F00 and the file keeps
 * the old state. Real files in a temporary folder; the refused write is a folder nobody may write
 * in (mode 0500, or the immutable attribute when the test runs as root, whom modes do not stop).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensurePrivateDirAsync, writeFileDurably } from '../core/files/safe-file';
import { FileCardStateStore, type CardState } from './card-state';
import { VirtualPivCard } from './piv-card';
import { whileUnwritable } from '../../test/support/unwritable';

const hex = (text: string): Buffer => Buffer.from(text.replaceAll(' ', ''), 'hex');
const swOf = (response: Uint8Array): string => Buffer.from(response.subarray(-2)).toString('hex');
const SELECT_PIV = hex('00 a4 04 00 05 a0 00 00 03 08');
/** VERIFY PIV PIN with 654321, which is not the factory PIN. */
const WRONG_PIN = hex('00 20 00 80 08 36 35 34 33 32 31 ff ff');

const pinTriesOnDisk = (path: string): number => (JSON.parse(readFileSync(path, 'utf8')) as CardState).pin.triesLeft;

/** The store as the desk's embedded reader builds it: the shared asynchronous durable writer. */
function deskStore(dir: string): FileCardStateStore {
  return new FileCardStateStore(join(dir, 'virtual-card', 'card.json'), async (path, data) => {
    await ensurePrivateDirAsync(join(dir, 'virtual-card'));
    await writeFileDurably(path, data);
  });
}

describe('the virtual card’s file store', () => {
  it('a spent PIN try is on disk before the answer leaves the card', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'carddesk-vcard-state-'));
    const store = deskStore(dir);
    const card = await VirtualPivCard.open(store, { serial: 12345678 });
    card.powerOn();
    expect(swOf(await card.transmit(SELECT_PIV))).toBe('9000');
    const before = pinTriesOnDisk(store.path);

    // The save is held until released: the answer must wait for it.
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const saves: string[] = [];
    const slow = new FileCardStateStore(store.path, async (path, data) => {
      saves.push('started');
      await held;
      await writeFileDurably(path, data);
      saves.push('done');
    });
    const gated = await VirtualPivCard.open(slow);
    gated.powerOn();
    await gated.transmit(SELECT_PIV);
    let answered = false;
    const answer = gated.transmit(WRONG_PIN).then((response) => {
      answered = true;
      return response;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(saves).toEqual(['started']);
    expect(answered).toBe(false);
    release();
    expect(swOf(await answer)).toBe(`63c${before - 1}`);
    expect(saves).toEqual(['started', 'done']);
    expect(pinTriesOnDisk(store.path)).toBe(before - 1);
  });

  it('a card that cannot save answers 6F00, the file keeps the old state, and the next save catches up', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'carddesk-vcard-state-'));
    const store = deskStore(dir);
    const card = await VirtualPivCard.open(store, { serial: 12345678 });
    card.powerOn();
    await card.transmit(SELECT_PIV);
    const before = pinTriesOnDisk(store.path);

    const refused = await whileUnwritable(join(dir, 'virtual-card'), () => card.transmit(WRONG_PIN));
    expect(swOf(refused)).toBe('6f00');
    expect(pinTriesOnDisk(store.path)).toBe(before);

    // Writable again: the next command saves what the refused one changed too.
    expect(swOf(await card.transmit(SELECT_PIV))).toBe('9000');
    expect(pinTriesOnDisk(store.path)).toBe(before - 1);
    const reopened = await VirtualPivCard.open(deskStore(dir));
    reopened.powerOn();
    await reopened.transmit(SELECT_PIV);
    expect(swOf(await reopened.transmit(WRONG_PIN))).toBe(`63c${before - 2}`);
  });
});
