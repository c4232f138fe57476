/**
 * The only main-process file that touches ipcMain. Every channel of the contract is registered
 * through `handle`, which refuses any sender that is not the top frame of one of the app's own
 * windows on the app's own origin, then hands the raw arguments to the core process, whose `dispatch`
 * parses them before a service sees them.
 */
import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { channelNames, type ChannelName } from '../shared/contract';
import { failure, type Envelope } from '../shared/errors';
import type { Surface } from '../shared/schemas/app';
import type { CallContext } from '../core/api/context';
import type { EventHub } from '../core/api/event-hub';
import type { Logger } from '../core/log/logger';
import type { CoreConnection } from '../core/process/core-client';
import { routeEvent } from '../core/api/event-routing';
import { isAppUrl } from './app-url';

/** The app's windows and the surface each one shows; a window's surface is decided here, never by the page. */
export class WindowRegistry {
  readonly #surfaces = new Map<number, { contents: WebContents; surface: Surface }>();

  register(contents: WebContents, surface: Surface): void {
    this.#surfaces.set(contents.id, { contents, surface });
    contents.once('destroyed', () => this.#surfaces.delete(contents.id));
  }

  surfaceOf(contents: WebContents): Surface | null {
    const entry = this.#surfaces.get(contents.id);
    return entry !== undefined && entry.contents === contents ? entry.surface : null;
  }

  all(): WebContents[] {
    return [...this.#surfaces.values()].map((entry) => entry.contents);
  }
}

/** The call context for a trusted sender, or null when the sender must be refused. */
export function trustedSender(registry: WindowRegistry, event: IpcMainInvokeEvent): CallContext | null {
  const frame = event.senderFrame;
  if (frame === null || frame.parent !== null) return null;
  if (frame !== event.sender.mainFrame) return null;
  if (!isAppUrl(frame.url)) return null;
  const surface = registry.surfaceOf(event.sender);
  return surface === null ? null : { surface, transport: 'ipc', source: sourceOf(event.sender) };
}

export function handle(
  channel: ChannelName,
  registry: WindowRegistry,
  log: Logger,
  call: (args: unknown, context: CallContext) => Promise<Envelope<unknown>>,
): void {
  ipcMain.handle(channel, async (event, args: unknown) => {
    const context = trustedSender(registry, event);
    if (context === null) {
      log.warn('refused IPC from an untrusted sender', { channel, url: event.senderFrame?.url ?? null });
      return failure('FORBIDDEN_SENDER', 'This request did not come from a CardDesk window.');
    }
    return call(args, context);
  });
}

/** Every channel goes to the services as it came; the core process parses and checks it. */
export function registerContract(core: Pick<CoreConnection, 'call'>, registry: WindowRegistry, log: Logger): void {
  for (const channel of channelNames) {
    handle(channel, registry, log, (args, context) => core.call(channel, args, context));
  }
}

/** Push events go to every live app window, on the event's own channel. */
export function forwardEvents(events: EventHub, registry: WindowRegistry): () => void {
  return events.subscribe((name, payload) => {
    const routed = routeEvent(payload);
    for (const contents of registry.all()) {
      if (contents.isDestroyed() || (routed.source !== null && routed.source !== sourceOf(contents))) continue;
      contents.send(name, routed.payload);
    }
  });
}

/** A window's call source: what its calls carry in their context. */
function sourceOf(contents: WebContents): string {
  return `window:${contents.id}`;
}
