/**
 * The kiosk's settings from the desk: the store's setter keeps what it is given within bounds, and
 * through dispatch on a real core (real audit log in a temporary data folder) the desk saves them,
 * reads them back, and the kiosk's status reports them; out-of-bounds values are refused with
 * INVALID_ARGUMENTS and change nothing; a kiosk window reaches neither channel; each change is a
 * recorded settings change.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testCore } from '../../../test/support/test-core';
import type { ChannelArgs, ChannelName } from '../../shared/contract';
import { CardDeskError } from '../../shared/errors';
import type { CallContext } from '../api/context';
import { dispatch } from '../api/dispatch';
import { queryPage } from '../audit/audit-queries';
import { silentLogger } from '../log/logger';
import { DeskSettingsStore } from './desk-settings';

const core = testCore();
const desk: CallContext = { surface: 'desk', transport: 'ipc' };
const kioskWindow: CallContext = { surface: 'kiosk', transport: 'ipc', source: 'window:3' };

function call<C extends ChannelName>(channel: C, args: ChannelArgs<C>, context: CallContext = desk) {
  return dispatch(core.handlers, channel, args, context, silentLogger);
}

beforeAll(() => core.start(), 60_000);
afterAll(() => core.dispose());

describe('DeskSettingsStore.setKiosk', () => {
  it('saves the kiosk settings to settings.json and reads them back, keeping the other settings', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'carddesk-kiosk-settings-'));
    const store = await new DeskSettingsStore(dir).open();
    expect(store.load().kiosk).toEqual({ idleSeconds: 60, shufflePinPad: false, filesAllowed: true });
    await store.update((settings) => ({ ...settings, pkcs11LibraryFolders: ['/opt/vendor/lib'] }));

    expect(await store.setKiosk({ idleSeconds: 125, shufflePinPad: true, filesAllowed: false })).toEqual({ idleSeconds: 125, shufflePinPad: true, filesAllowed: false });
    const reread = await new DeskSettingsStore(dir).open();
    expect(reread.load().kiosk).toEqual({ idleSeconds: 125, shufflePinPad: true, filesAllowed: false });
    expect(reread.load().pkcs11LibraryFolders).toEqual(['/opt/vendor/lib']);
    expect((JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8')) as { kiosk: unknown }).kiosk).toEqual({ idleSeconds: 125, shufflePinPad: true, filesAllowed: false });
  });

  it('refuses values outside the bounds and leaves the file as it was', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'carddesk-kiosk-settings-'));
    const store = await new DeskSettingsStore(dir).open();
    await store.setKiosk({ idleSeconds: 15, shufflePinPad: false, filesAllowed: true });
    for (const idleSeconds of [14, 901, 30.5]) {
      const thrown: unknown = await store.setKiosk({ idleSeconds, shufflePinPad: true, filesAllowed: false }).then(
        () => null,
        (error: unknown) => error,
      );
      expect(thrown, `idleSeconds ${idleSeconds}`).toBeInstanceOf(CardDeskError);
      expect((thrown as CardDeskError).code).toBe('INVALID_ARGUMENTS');
    }
    expect(store.load().kiosk).toEqual({ idleSeconds: 15, shufflePinPad: false, filesAllowed: true });
    expect((await new DeskSettingsStore(dir).open()).load().kiosk).toEqual({ idleSeconds: 15, shufflePinPad: false, filesAllowed: true });
    expect((await store.setKiosk({ idleSeconds: 900, shufflePinPad: true, filesAllowed: true })).idleSeconds).toBe(900);
  });
});

describe('settings:kiosk and settings:setKiosk', () => {
  it('reads the defaults, saves a change the kiosk status then reports, and records it', async () => {
    expect(await call('settings:kiosk', undefined)).toEqual({ ok: true, value: { idleSeconds: 60, shufflePinPad: false, filesAllowed: true } });

    const saved = await call('settings:setKiosk', { idleSeconds: 30, shufflePinPad: true, filesAllowed: false });
    expect(saved).toEqual({ ok: true, value: { idleSeconds: 30, shufflePinPad: true, filesAllowed: false } });
    expect(await call('settings:kiosk', undefined)).toEqual({ ok: true, value: { idleSeconds: 30, shufflePinPad: true, filesAllowed: false } });
    expect((await new DeskSettingsStore(core.dataDir).open()).load().kiosk).toEqual({ idleSeconds: 30, shufflePinPad: true, filesAllowed: false });
    expect(await call('kiosk:status', undefined, kioskWindow)).toMatchObject({ ok: true, value: { idleSeconds: 30, shufflePinPad: true, filesAllowed: false } });

    const { index, reader } = await core.audit.index();
    const changes = (await queryPage(index, reader, { limit: 50, count: false, actions: ['settings.change'] })).entries.filter((e) => e.details['setting'] === 'kiosk');
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({
      outcome: 'success',
      channel: 'desk',
      details: { idleSecondsFrom: 60, idleSeconds: 30, shufflePinPadFrom: false, shufflePinPad: true, filesAllowedFrom: true, filesAllowed: false },
    });
  });

  it('refuses out-of-bounds or unknown fields with INVALID_ARGUMENTS and keeps the saved settings', async () => {
    const before = await call('settings:kiosk', undefined);
    const bad: unknown[] = [
      { idleSeconds: 14, shufflePinPad: false, filesAllowed: true },
      { idleSeconds: 901, shufflePinPad: false, filesAllowed: true },
      { idleSeconds: 60.5, shufflePinPad: false, filesAllowed: true },
      { idleSeconds: 60, shufflePinPad: 'yes', filesAllowed: true },
      { idleSeconds: 60, shufflePinPad: false },
      { idleSeconds: 60, shufflePinPad: false, filesAllowed: true, pinLength: 4 },
    ];
    for (const args of bad) {
      expect(await call('settings:setKiosk', args as ChannelArgs<'settings:setKiosk'>), JSON.stringify(args)).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENTS' } });
    }
    expect(await call('settings:kiosk', undefined)).toEqual(before);
  });

  it('is refused to a kiosk window, which changes nothing', async () => {
    const before = await call('settings:kiosk', undefined);
    expect(await call('settings:kiosk', undefined, kioskWindow)).toMatchObject({ ok: false, error: { code: 'NOT_ON_THIS_SURFACE' } });
    expect(await call('settings:setKiosk', { idleSeconds: 900, shufflePinPad: false, filesAllowed: true }, kioskWindow)).toMatchObject({ ok: false, error: { code: 'NOT_ON_THIS_SURFACE' } });
    expect(await call('settings:kiosk', undefined)).toEqual(before);
  });
});
