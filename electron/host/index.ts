/**
 * `npm run start:browser [-- --port N] [--kiosk] [--open]`: the CardDesk services in Node, the
 * renderer in any browser on this machine, over 127.0.0.1 only.
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
        '  --kiosk    serve the holder kiosk instead of the operator desk\n' +
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
  // The services run in their own process (dist/core.cjs); this one serves pages and forwards.
  const core = new CoreClient(forkCoreProcess(join(__dirname, 'core.cjs'), { mode: 'browser', dataDir }), log);
  const host = await startHost({
    core,
    log,
    surface: values.kiosk ? 'kiosk' : 'desk',
    rendererDir: join(__dirname, 'renderer'),
    bridgeFile: join(__dirname, 'bridge', 'carddesk-bridge.js'),
    port,
  });
  log.info('browser mode started', { port: host.port, dataDir });
  process.stdout.write(`CardDesk (browser mode${values.kiosk ? ', kiosk' : ''}) is running.\nData folder: ${dataDir}\nOpen: ${host.url}\n`);
  if (values.open) openInSystemBrowser(host.url);

  const stop = (): void => {
    void Promise.all([core.stop(), host.close()]).then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`CardDesk could not start: ${(error as Error).message}\n`);
  process.exit(1);
});
