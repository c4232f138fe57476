/**
 * Issue 12, point 1: the services run in their own process (dist/core.cjs through core-boot.cjs, as browser mode and the
 * Electron app start it), speaking the contract's envelope; a crash costs the calls it was running,
 * never the window side, and a clean stop releases the data folder.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CallContext } from '../../electron/core/api/context';
import { memoryLogger } from '../support/memory-logger';
import { CoreClient, forkCoreProcess, type CoreChild } from '../../electron/core/process/core-client';
import { freshHome, repoRoot } from '../support/host-process';

const entry = join(repoRoot, 'dist', 'core-boot.cjs');
const desk: CallContext = { surface: 'desk', transport: 'websocket' };
const PASSPHRASE = 'correct horse battery staple';

const clients: CoreClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.stop()));
});

/** A client whose latest child is reachable, so a test can kill it as a crash would. */
function startCore(home = freshHome()): { client: CoreClient; child: () => CoreChild; home: string; log: ReturnType<typeof memoryLogger> } {
  const spawn = forkCoreProcess(entry, { mode: 'browser', dataDir: home });
  let latest: CoreChild | null = null;
  const log = memoryLogger();
  const client = new CoreClient(() => (latest = spawn()), log);
  clients.push(client);
  return { client, child: () => latest!, home, log };
}

describe('the core process', () => {
  it('answers calls with the contract envelope and sends its events', async () => {
    const { client, home } = startCore();
    await expect(client.call('app:info', undefined, desk)).resolves.toMatchObject({ ok: true, value: { mode: 'browser', surface: 'desk', dataDir: home } });
    const changes: unknown[] = [];
    client.events.subscribe((name, payload) => name === 'vault:stateChanged' && changes.push(payload));
    await expect(client.call('vault:init', { passphrase: PASSPHRASE }, desk)).resolves.toMatchObject({ ok: true, value: { initialised: true } });
    await expect.poll(() => changes).toContainEqual({ unlocked: true, initialised: true });
  });

  it('checks every call itself: unknown channels, bad arguments and the surface', async () => {
    const { client } = startCore();
    await expect(client.call('vault:frobnicate', undefined, desk)).resolves.toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
    await expect(client.call('vault:init', { passphrase: 42 }, desk)).resolves.toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENTS' } });
    await expect(client.call('vault:init', { passphrase: PASSPHRASE }, { surface: 'kiosk', transport: 'websocket' })).resolves.toMatchObject({
      ok: false,
      error: { code: 'NOT_ON_THIS_SURFACE' },
    });
  });

  it('answers the calls a crash interrupted, then starts the services again', async () => {
    const { client, child, log } = startCore();
    await client.call('app:info', undefined, desk);
    const interrupted = client.call('vault:init', { passphrase: PASSPHRASE }, desk);
    child().kill();
    await expect(interrupted).resolves.toMatchObject({ ok: false, error: { code: 'CORE_UNAVAILABLE' } });
    await expect(client.call('app:info', undefined, desk)).resolves.toMatchObject({ ok: true });
    expect(log.entries.some((entry) => entry.message === 'the core process stopped unexpectedly')).toBe(true);
  });

  it('gives up after repeated crashes and says so on every call', async () => {
    const { client, child } = startCore();
    for (let crash = 0; crash < 4; crash++) {
      await client.call('app:info', undefined, desk);
      const gone = child().exited;
      child().kill();
      await gone;
    }
    await expect(client.call('app:info', undefined, desk)).resolves.toMatchObject({ ok: false, error: { code: 'CORE_UNAVAILABLE', message: expect.stringMatching(/Restart CardDesk/) } });
  });

  it('stops cleanly and releases the data folder for the next start', async () => {
    const first = startCore();
    await expect(first.client.call('vault:init', { passphrase: PASSPHRASE }, desk)).resolves.toMatchObject({ ok: true });
    await first.client.stop();
    await expect(first.child().exited).resolves.toBe(0);
    const second = startCore(first.home);
    await expect(second.client.call('vault:unlock', { passphrase: PASSPHRASE }, desk)).resolves.toMatchObject({ ok: true, value: { ok: true } });
  });
});
