/**
 * The kiosk's second-factor channels act for the holder signed in on the calling window only:
 * another window, a session not yet signed in, or a desk call is refused, and nothing is
 * enrolled for anyone. (audit-every-write.test.ts runs the same channels on a real kiosk session.)
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryAuditTrail } from '../audit/audit-trail';
import { silentLogger } from '../log/logger';
import { holderInput, operator, PASSPHRASE, tempHome } from '../../../test/support/vault-fixtures';
import { createVaultServices, type VaultServices } from '../vault/vault-services';
import { SecondFactorService } from '../account/second-factor';
import { KioskSessions } from '../kiosk/kiosk-sessions';
import { sessionEnded } from '../kiosk/kiosk-refusals';
import type { CallContext } from './context';
import { secondFactorHandlers } from './second-factor-handlers';

const open: VaultServices[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});

async function setup() {
  const audit = new MemoryAuditTrail();
  const services = createVaultServices({ dataDir: tempHome(), audit, log: silentLogger });
  open.push(services);
  await services.vault.init(Buffer.from(PASSPHRASE), operator);
  const ids: string[] = [];
  for (const n of [1, 2]) {
    const created = await services.directory.create(holderInput(n), operator);
    if (!created.ok) throw new Error('holder not saved');
    ids.push(created.holder.id);
  }
  const sessions = new KioskSessions();
  // The kiosk's own sessions; `touch` refuses a window without one, as KioskService does.
  const kiosk = {
    sessions,
    touch: (source: string) => {
      if (sessions.get(source) === null) return Promise.reject(sessionEnded());
      return Promise.resolve({ idleSecondsLeft: 60 });
    },
  };
  const factor = new SecondFactorService({ access: services.access, keyring: services.keyring, audit, directory: services.directory });
  const handlers = secondFactorHandlers(factor, kiosk, 'tester');
  return { handlers, sessions, factor, ids: ids as [string, string] };
}

const window = (source: string): CallContext => ({ surface: 'kiosk', transport: 'websocket', source });

describe('the kiosk second-factor channels', () => {
  it("enrol the signed-in holder of the calling window, and no one else's", async () => {
    const { handlers, sessions, factor, ids } = await setup();
    sessions.put({ source: 'w1', reader: 'r1', serial: 'S1', holderId: ids[0], stage: 'signedIn', proof: 'afterPin', lastTouch: 0 });
    sessions.put({ source: 'w2', reader: 'r2', serial: 'S2', holderId: ids[1], stage: 'begun', proof: 'cardAuthentication', lastTouch: 0 });

    const enrolment = await handlers['kiosk:totpBegin'](undefined, window('w1'));
    expect(enrolment.uri).toContain(`otpauth://totp/CardDesk:`);
    expect(factor.status(ids[0])).toMatchObject({ method: 'app', state: 'pending' });

    // A window with no session, and one whose holder has not given the PIN yet.
    await expect(handlers['kiosk:totpBegin'](undefined, window('w3'))).rejects.toMatchObject({ code: 'SESSION_ENDED' });
    await expect(handlers['kiosk:totpBegin'](undefined, window('w2'))).rejects.toMatchObject({ code: 'SESSION_ENDED' });
    await expect(handlers['kiosk:secondFactor'](undefined, window('w2'))).rejects.toMatchObject({ code: 'SESSION_ENDED' });
    // A desk call on a kiosk channel is not the holder.
    await expect(handlers['kiosk:totpConfirm']({ code: '123456' }, { surface: 'desk', transport: 'ipc', source: 'w1' })).rejects.toMatchObject({ code: 'NOT_ON_THIS_SURFACE' });
    expect(factor.status(ids[1])).toMatchObject({ method: 'none' });

    // The session ended: the same window can no longer confirm.
    sessions.take('w1');
    await expect(handlers['kiosk:totpConfirm']({ code: '123456' }, window('w1'))).rejects.toMatchObject({ code: 'SESSION_ENDED' });
    expect(factor.status(ids[0])).toMatchObject({ state: 'pending' });
  });
});
