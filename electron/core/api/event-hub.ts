import type { EventName, EventPayload } from '../../shared/contract';

export type EventSink = <E extends EventName>(name: E, payload: EventPayload<E>) => void;
export type EventListener = (name: EventName, payload: unknown) => void;

/**
 * Fans push events from services out to every transport (Electron windows, browser sessions,
 * CLI watchers). A listener that throws is dropped from that one delivery, never from the hub.
 */
export class EventHub {
  readonly #listeners = new Set<EventListener>();

  readonly emit: EventSink = (name, payload) => {
    for (const listener of this.#listeners) {
      try {
        listener(name, payload);
      } catch {
        // A broken transport must not stop the others from hearing the event.
      }
    }
  };

  subscribe(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
