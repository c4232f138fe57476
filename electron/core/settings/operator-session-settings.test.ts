/**
 * The operator-session settings (Settings → Operator sign-in): through dispatch on a real core
 * (real audit log in a temporary data folder) the desk reads the defaults, saves, reads back from
 * settings.json, records each change with the values before and after; out-of-bounds values are
 * refused with INVALID_ARGUMENTS and change nothing; a kiosk window reaches neither channel; a
 * settings.json written before the setting existed reads as "sign out".
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testCore } from '../../../test/support/test-core';
import type { ChannelArgs, ChannelName } from '../../shared/contract';
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

describe('the operator-session settings', () => {
  it('default to 15 minutes and sign-out; a change is saved, read back and recorded', async () => {
    expect(await call('settings:operatorSession', undefined)).toEqual({ ok: true, value: { idleMinutes: 15, cardRemoval: 'signOut' } });
    expect(await call('settings:setOperatorSession', { idleMinutes: 30, cardRemoval: 'lock' })).toEqual({ ok: true, value: { idleMinutes: 30, cardRemoval: 'lock' } });
    expect(await call('settings:operatorSession', undefined)).toEqual({ ok: true, value: { idleMinutes: 30, cardRemoval: 'lock' } });
    const saved = JSON.parse(readFileSync(join(core.dataDir, 'settings.json'), 'utf8')) as { operatorSession: unknown };
    expect(saved.operatorSession).toEqual({ idleMinutes: 30, cardRemoval: 'lock' });
    const { index, reader } = await core.audit.index();
    const page = await queryPage(index, reader, { actions: ['settings.change'], limit: 1, count: false });
    expect(page.entries[0]).toMatchObject({ outcome: 'success', details: { setting: 'operatorSession', idleMinutesFrom: 15, idleMinutes: 30, cardRemovalFrom: 'signOut', cardRemoval: 'lock' } });
  });

  it('refuses values out of bounds and changes nothing; a kiosk window reaches neither channel', async () => {
    for (const args of [{ idleMinutes: 0, cardRemoval: 'lock' }, { idleMinutes: 1441, cardRemoval: 'lock' }, { idleMinutes: 1.5, cardRemoval: 'lock' }, { idleMinutes: 10, cardRemoval: 'eject' }]) {
      expect(await call('settings:setOperatorSession', args as never)).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENTS' } });
    }
    expect(await call('settings:operatorSession', undefined)).toEqual({ ok: true, value: { idleMinutes: 30, cardRemoval: 'lock' } });
    expect((await call('settings:operatorSession', undefined, kioskWindow)).ok).toBe(false);
    expect((await call('settings:setOperatorSession', { idleMinutes: 5, cardRemoval: 'signOut' }, kioskWindow)).ok).toBe(false);
  });

  it('reads a settings.json from before the setting as sign-out', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'carddesk-opsession-'));
    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ format: 1, pkcs11Modules: [], operatorSession: { idleMinutes: 20 } }));
    const store = await new DeskSettingsStore(dir).open();
    expect(store.load().operatorSession).toEqual({ idleMinutes: 20, cardRemoval: 'signOut' });
  });
});
