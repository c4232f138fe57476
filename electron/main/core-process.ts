/** The core process under Electron: a utility process (its own Node, off the windows' thread). */
import { utilityProcess } from 'electron';
import type { CoreChild } from '../core/process/core-client';
import type { CoreProcessOptions, FromCore } from '../core/process/protocol';

export function utilityCoreProcess(entry: string, options: CoreProcessOptions): () => CoreChild {
  return () => {
    const child = utilityProcess.fork(entry, ['--mode', options.mode, '--data-dir', options.dataDir], { serviceName: 'CardDesk services', stdio: 'inherit' });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    return {
      port: {
        send: (message) => child.postMessage(message),
        onMessage: (listener) => child.on('message', (message) => listener(message as FromCore)),
      },
      exited,
      kill: () => void child.kill(),
    };
  };
}
