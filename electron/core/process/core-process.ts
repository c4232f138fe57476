/**
 * The entry point of the core process (dist/core.cjs): the services, off the thread that draws the
 * windows. Started by the Electron main process as a utility process and by the browser-mode host
 * as a Node child process; it speaks to its parent over whichever channel it was given.
 */
import { parseArgs } from 'node:util';
import { createCore } from '../app-core';
import { createFileLogger } from '../log/logger';
import { logDirOf } from '../paths';
import { bundledPkcs11Worker } from '../pkcs11/worker-spawner';
import type { FromCore, MessagePortLike, ToCore } from './protocol';
import { serveCore } from './serve-core';

/** Electron's utility processes get `process.parentPort`; Node's forked children `process.send`. */
interface ElectronParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
}

function parentPort(): MessagePortLike<FromCore, ToCore> {
  const electronPort = (process as { parentPort?: ElectronParentPort }).parentPort;
  if (electronPort !== undefined) {
    return {
      send: (message) => electronPort.postMessage(message),
      onMessage: (listener) => electronPort.on('message', (event) => listener(event.data as ToCore)),
    };
  }
  const send = process.send?.bind(process);
  if (send === undefined) throw new Error('the core process must be started by CardDesk (it has no parent channel)');
  return {
    // After the parent is gone there is no one to tell.
    send: (message) => {
      if (process.connected) send(message);
    },
    onMessage: (listener) => process.on('message', (message) => listener(message as ToCore)),
  };
}

const { values } = parseArgs({ options: { mode: { type: 'string' }, 'data-dir': { type: 'string' } } });
const mode = values.mode === 'electron' ? 'electron' : 'browser';
const dataDir = values['data-dir'];
if (dataDir === undefined) throw new Error('the core process needs --data-dir');

const log = createFileLogger(logDirOf(dataDir), { echo: mode === 'electron' ? ['error'] : ['warn', 'error'] });
const core = createCore({ mode, dataDir, log, pkcs11Worker: bundledPkcs11Worker(__dirname) });
const stop = serveCore(core, parentPort(), log, () => process.exit(0));
// The parent went away without asking (it was killed): stop cleanly rather than linger.
process.on('disconnect', () => void stop());
