/**
 * The services' handlers called in this very process: for tests of a transport, and as the
 * responsiveness benchmark's "before" (the core on the windows' thread, as it used to run).
 * Apart from core-client.ts so the host and the Electron main process, which only forward, do not
 * load the contract's schemas at start.
 */
import type { EventHub } from '../api/event-hub';
import { dispatch } from '../api/dispatch';
import type { ContractHandlers } from '../api/handlers';
import type { Logger } from '../log/logger';
import type { CoreConnection } from './core-client';

export function localConnection(handlers: ContractHandlers, events: EventHub, log: Logger, stop: () => Promise<void> = () => Promise.resolve()): CoreConnection {
  return { call: (channel, args, context) => dispatch(handlers, channel, args, context, log), events, stop };
}
