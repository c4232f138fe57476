/**
 * The kiosk as the composition root wires it: a real core (embedded virtual card, real audit log)
 * called through dispatch as a kiosk window and the desk would. The card leaving the reader ends
 * the session with the `kiosk:sessionEnded` event; the kiosk status reads the desk's settings and
 * the vault's state; a kiosk window reaches neither the reader-addressed channels nor another
 * window's session.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secretsIn } from '../../../test/support/lifecycle-rig';
import { testCore } from '../../../test/support/test-core';
import { holderInput, PASSPHRASE } from '../../../test/support/vault-fixtures';
import { waitUntil } from '../../../test/support/wait';
import type { ChannelArgs, ChannelName } from '../../shared/contract';
import type { CallContext } from '../api/context';
import { dispatch } from '../api/dispatch';
import { queryPage } from '../audit/audit-queries';
import { silentLogger } from '../log/logger';
import { VIRTUAL_READER_NAME } from '../readers/virtual-reader';

const reader = VIRTUAL_READER_NAME;
const core = testCore({ virtualReader: true });
const desk: CallContext = { surface: 'desk', transport: 'ipc' };
const kioskWindow: CallContext = { surface: 'kiosk', transport: 'ipc', source: 'window:7' };
const otherWindow: CallContext = { surface: 'kiosk', transport: 'websocket', source: 'browser:9' };
const heard: { name: string; payload: unknown }[] = [];
let pin = '';
let serial = '';

async function call<C extends ChannelName>(channel: C, args: ChannelArgs<C>, context: CallContext) {
  return dispatch(core.handlers, channel, args, context, silentLogger);
}

async function ok<C extends ChannelName>(channel: C, args: ChannelArgs<C>, context: CallContext = desk): Promise<Record<string, unknown>> {
  const result = await call(channel, args, context);
  if (!result.ok) throw new Error(`${channel}: ${result.error.code} ${result.error.message}`);
  return result.value as Record<string, unknown>;
}

beforeAll(async () => {
  await core.start();
  core.events.subscribe((name, payload) => heard.push({ name, payload }));
  await waitUntil(() => core.readers.list().readers.some((r) => r.name === reader), 5000, 'the embedded virtual reader');
  await ok('vault:init', { passphrase: PASSPHRASE });
  await ok('ca:init', { algorithm: 'p384', rootSubject: 'CN=Kiosk Root, O=Example', issuingSubject: 'CN=Kiosk Issuing, O=Example' });
  await ok('cards:updatePolicy', { activation: 'atIssuance' });
  const holder = (await ok('holders:create', holderInput(41, { firstName: 'Drita' }))) as { holder: { id: string } };
  const issued = (await ok('cards:issue', { reader, holderId: holder.holder.id })) as { serial: string; letters: { kind: string; fileName: string }[] };
  serial = issued.serial;
  const letter = issued.letters.find((l) => l.kind === 'pin')!.fileName;
  pin = secretsIn(execFileSync('pdftotext', ['-layout', join(core.dataDir, 'outbox', letter), '-'], { encoding: 'utf8' })).pin;
}, 120_000);

afterAll(() => core.dispose());

describe('the kiosk in the core', () => {
  it('tells its status from the desk settings and the vault', async () => {
    expect(await ok('kiosk:status', undefined, kioskWindow)).toEqual({ outOfService: null, keyServices: 'available', idleSeconds: 60, shufflePinPad: false, filesAllowed: true });
    expect(await call('kiosk:status', undefined, desk)).toMatchObject({ ok: false, error: { code: 'NOT_ON_THIS_SURFACE' } });
  });

  it('signs in on the card in the reader, keeps the session to its window, and ends it when the card is taken out', async () => {
    expect(await ok('kiosk:begin', { reader }, kioskWindow)).toMatchObject({ ok: true, next: 'pin' });
    expect(await ok('kiosk:signIn', { pin }, kioskWindow)).toMatchObject({ ok: true, home: { card: { serial }, holder: { firstName: 'Drita' } } });
    expect(await call('kiosk:home', undefined, otherWindow)).toMatchObject({ ok: false, error: { code: 'SESSION_ENDED' } });
    for (const channel of ['cards:verifyPin', 'cards:changePin', 'cards:unblockPin', 'cards:offlineUnblockBegin', 'cards:activate', 'cards:inspect'] as const) {
      expect(await call(channel, { reader, pin, currentPin: pin, newPin: '12121212', puk: '12345678' }, kioskWindow), channel).toMatchObject({ ok: false, error: { code: 'NOT_ON_THIS_SURFACE' } });
    }
    expect(await ok('kiosk:history', {}, kioskWindow)).toMatchObject({ total: expect.any(Number) as number });

    heard.length = 0;
    core.readers.removeVirtualCard();
    await waitUntil(() => heard.some((e) => e.name === 'kiosk:sessionEnded'), 5000, 'the session-ended event');
    // Named for its window only: the transports deliver it to that window (and strip the name).
    expect(heard.find((e) => e.name === 'kiosk:sessionEnded')?.payload).toEqual({ reason: 'cardRemoved', source: 'window:7' });
    expect(await call('kiosk:home', undefined, kioskWindow)).toMatchObject({ ok: false, error: { code: 'SESSION_ENDED' } });
    core.readers.insertVirtualCard();

    const { index, reader: entries } = await core.audit.index();
    const page = await queryPage(index, entries, { limit: 50, count: false, actions: ['kiosk.sessionEnd', 'kiosk.sessionStart'] });
    expect(page.entries.find((e) => e.action === 'kiosk.sessionEnd')).toMatchObject({ action: 'kiosk.sessionEnd', reason: 'cardRemoved', actor: { kind: 'holder' }, channel: 'kiosk', cardSerial: serial });
    // The refused call from the other window was recorded as a failure on the kiosk channel.
    const refused = (await queryPage(index, entries, { limit: 50, count: false, outcome: 'failure' })).entries.filter((e) => e.reason === 'SESSION_ENDED');
    expect(refused.some((e) => e.details['source'] === 'browser:9' && e.channel === 'kiosk')).toBe(true);
  });

  it('keeps holder services to the card while the vault is locked', async () => {
    await ok('vault:lock', undefined);
    try {
      expect(await ok('kiosk:status', undefined, kioskWindow)).toMatchObject({ keyServices: 'vaultLocked' });
    } finally {
      await ok('vault:unlock', { passphrase: PASSPHRASE });
    }
  });
});
