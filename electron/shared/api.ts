/**
 * The shape of `window.carddesk`, derived from the contract: one object per feature,
 * one named function per channel (`carddesk.readers.list()`), one `on<Event>` function
 * per push event (`carddesk.readers.onCardInserted(fn)`). Both the Electron preload and
 * the browser-mode bridge build it with `buildApi`, so the renderer sees the same API in
 * both modes and its type is written once, here.
 *
 * This module imports the contract for its types only: the browser bridge is a classic script the
 * page waits for, and the contract's schemas (zod) would make it a megabyte. The names come in as
 * an argument instead: the preload passes the contract's, the bridge gets them built in
 * (scripts/build.mjs reads them off the contract when it bundles the bridge).
 */
import type { Envelope } from './errors';
import type { ChannelArgs, ChannelName, ChannelResult, EventName, EventPayload } from './contract';

export type Unsubscribe = () => void;

type FeatureOf<K extends string> = K extends `${infer F}:${string}` ? F : never;
export type Feature = FeatureOf<ChannelName | EventName>;

type CallFn<C extends ChannelName> =
  ChannelArgs<C> extends undefined
    ? () => Promise<Envelope<ChannelResult<C>>>
    : (args: ChannelArgs<C>) => Promise<Envelope<ChannelResult<C>>>;

type FeatureApi<F extends string> = {
  [C in ChannelName as C extends `${F}:${infer Verb}` ? Verb : never]: CallFn<C>;
} & {
  [E in EventName as E extends `${F}:${infer Name}` ? `on${Capitalize<Name>}` : never]: (
    listener: (payload: EventPayload<E>) => void,
  ) => Unsubscribe;
};

export type CardDeskApi = { readonly [F in Feature]: FeatureApi<F> };

/** How a side of the boundary moves calls and events; the only generic piece, never exposed. */
export interface ApiTransport {
  invoke(channel: ChannelName, args: unknown): Promise<Envelope<unknown>>;
  subscribe(event: EventName, listener: (payload: unknown) => void): Unsubscribe;
}

function split(name: string): [feature: string, member: string] {
  const at = name.indexOf(':');
  return [name.slice(0, at), name.slice(at + 1)];
}

export function eventListenerName(event: EventName): string {
  const member = split(event)[1];
  return `on${member.charAt(0).toUpperCase()}${member.slice(1)}`;
}

/** The contract's channel and event names, the only part of the contract the API is built from. */
export interface ApiNames {
  readonly channels: readonly ChannelName[];
  readonly events: readonly EventName[];
}

export function buildApi(transport: ApiTransport, names: ApiNames): CardDeskApi {
  const api: Record<string, Record<string, unknown>> = {};
  const featureOf = (name: string): Record<string, unknown> => (api[split(name)[0]] ??= {});
  for (const channel of names.channels) {
    // Each function closes over its own channel name: the page can never choose one.
    featureOf(channel)[split(channel)[1]] = (args?: unknown) => transport.invoke(channel, args);
  }
  for (const event of names.events) {
    featureOf(event)[eventListenerName(event)] = (listener: unknown) => {
      if (typeof listener !== 'function') throw new TypeError(`${eventListenerName(event)} needs a function`);
      return transport.subscribe(event, (payload) => (listener as (p: unknown) => void)(payload));
    };
  }
  for (const feature of Object.values(api)) Object.freeze(feature);
  // The object is built from the same contract the type is derived from.
  return Object.freeze(api) as unknown as CardDeskApi;
}
