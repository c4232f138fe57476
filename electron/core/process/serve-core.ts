/**
 * The core process's side of the split: every call from the window side goes through `dispatch`
 * here, in the process that runs the services, and every service event goes back. Nothing here
 * trusts the window side beyond what the contract lets any transport do.
 */
import { dispatch } from '../api/dispatch';
import type { Core } from '../app-core';
import type { Logger } from '../log/logger';
import type { FromCore, MessagePortLike, ToCore } from './protocol';

/** Serves the core on `port`; returns the clean stop (also run when the parent asks for it). */
export function serveCore(core: Pick<Core, 'handlers' | 'events' | 'start' | 'dispose'>, port: MessagePortLike<FromCore, ToCore>, log: Logger, exit: () => void): () => Promise<void> {
  core.events.subscribe((name, payload) => port.send({ kind: 'event', name, payload }));
  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping ??= core
      .dispose()
      .catch((error: unknown) => log.error('the services did not stop cleanly', { error }))
      .finally(() => {
        port.send({ kind: 'stopped' });
        exit();
      });
    return stopping;
  };
  port.onMessage((message) => {
    if (message.kind === 'call') {
      void dispatch(core.handlers, message.channel, message.args, message.context, log).then((envelope) =>
        port.send({ kind: 'result', id: message.id, envelope }),
      );
    } else {
      void stop();
    }
  });
  port.send({ kind: 'ready' });
  core.start().catch((error: unknown) => log.error('the services could not start', { error }));
  return stop;
}
