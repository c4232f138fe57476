/**
 * Most events are news for every window (a reader appeared, the vault locked). Some are for one
 * caller only: a kiosk session ended is that kiosk window's business, and another kiosk on the
 * same desk must not wipe its own holder's screen for it. Such an event names the call source it
 * belongs to (CallContext.source) in a `source` field; the transports deliver it to that source
 * alone and without the field.
 */
export interface RoutedEvent {
  /** The one source to deliver to, or null for every window. */
  readonly source: string | null;
  readonly payload: unknown;
}

export function routeEvent(payload: unknown): RoutedEvent {
  if (typeof payload !== 'object' || payload === null || !('source' in payload) || typeof payload.source !== 'string') return { source: null, payload };
  const { source, ...rest } = payload as { source: string } & Record<string, unknown>;
  return { source, payload: rest };
}
