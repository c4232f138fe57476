/**
 * The messages between a window-owning process (the Electron main process, the browser-mode host)
 * and the core process that runs the services. A call carries the contract's own request (channel,
 * raw arguments, the call context the transport established) and comes back as the contract's
 * envelope: the core process parses and checks everything itself (`dispatch`), so nothing the
 * forwarding side does can widen what a caller may do.
 */
import type { EventName } from '../../shared/contract';
import type { Envelope } from '../../shared/errors';
import type { CallContext } from '../api/context';

export type ToCore =
  | { readonly kind: 'call'; readonly id: number; readonly channel: string; readonly args: unknown; readonly context: CallContext }
  | { readonly kind: 'stop' };

export type FromCore =
  | { readonly kind: 'ready' }
  | { readonly kind: 'result'; readonly id: number; readonly envelope: Envelope<unknown> }
  | { readonly kind: 'event'; readonly name: EventName; readonly payload: unknown }
  | { readonly kind: 'stopped' };

/** How the core process is started: what the window side passes, on its command line. */
export interface CoreProcessOptions {
  readonly mode: 'electron' | 'browser';
  readonly dataDir: string;
}

/** One end of the channel between the two processes (child_process IPC or Electron's MessagePort). */
export interface MessagePortLike<Out, In> {
  send(message: Out): void;
  onMessage(listener: (message: In) => void): void;
}
