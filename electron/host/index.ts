/**
 * `npm run start:browser [-- --port N] [--kiosk] [--open]`: the CardDesk services in Node, the
 * renderer in any browser on this machine, over 127.0.0.1 only. With --kiosk the same services
 * also serve the holder kiosk, on a second address: the kiosk is a holder-facing window of this
 * desk, so what needs a key (a suspension taking effect in the CA) is done by the desk's services
 * and the kiosk page never holds one.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createFileLogger } from '../core/log/logger';
import { prepareDataDir } from '../core/files/safe-file';
import { logDirOf, resolveDataDir } from '../core/paths';
import { CoreClient, forkCoreProcess } from '../core/process/core-client';
import { openInSystemBrowser } from './open-browser';
import { startHost } from './server';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      kiosk: { type: 'boolean', default: false },
      open: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(
      'Usage: npm run start:browser -- [--port N] [--kiosk] [--open]\n' +
        '  --port N   listen on 127.0.0.1:N (default: a free port)\n' +
        '  --kiosk    also serve the holder kiosk, on a second address (the next port when --port is given)\n' +
        '  --open     open the address in the system browser\n',
    );
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0..65535, not ${values.port}`);

  const dataDir = resolveDataDir();
  // Private (0700/0600) before the first file is written, whoever made the folder.
  prepareDataDir(dataDir);
  const log = createFileLogger(logDirOf(dataDir), { echo: ['warn', 'error'] });
  // The services run in their own process (dist/core.cjs, started by core-boot.cjs); this one serves pages and forwards.
  const core = new CoreClient(forkCoreProcess(join(__dirname, 'core-boot.cjs'), { mode: 'browser', dataDir }), log);
  const serve = (surface: 'desk' | 'kiosk', onPort: number) =>
    startHost({ core, log, surface, rendererDir: join(__dirname, 'renderer'), bridgeFile: join(__dirname, 'bridge', 'carddesk-bridge.js'), port: onPort });
  const host = await serve('desk', port);
  const kiosk = values.kiosk ? await serve('kiosk', port === 0 ? 0 : port + 1) : null;
  log.info('browser mode started', { port: host.port, kioskPort: kiosk?.port ?? null, dataDir });
  process.stdout.write(`CardDesk (browser mode) is running.\nData folder: ${dataDir}\nOpen: ${host.url}\n${kiosk === null ? '' : `Kiosk: ${kiosk.url}\n`}`);
  if (values.open) openInSystemBrowser((kiosk ?? host).url);

  const stop = (): void => {
    void Promise.all([core.stop(), host.close(), kiosk?.close()]).then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`CardDesk could not start: ${(error as Error).message}\n`);
  process.exit(1);
});
