/**
 * The kiosk sessions the services hold: one per kiosk window (the call's source, set by the
 * transport), bound to the reader, the card serial and the holder found for that card. A page
 * never names any of the three after `kiosk:begin`; every later call takes them from here.
 */
import type { CallContext } from '../api/context';

export type KioskProof = 'cardAuthentication' | 'afterPin';
export type KioskStage = 'begun' | 'signedIn';
export type KioskEndReason = 'cardRemoved' | 'idle' | 'signedOut' | 'replaced';

export interface KioskSession {
  readonly source: string;
  readonly reader: string;
  readonly serial: string;
  readonly holderId: string;
  stage: KioskStage;
  readonly proof: KioskProof;
  /** When the holder last did something (ms since epoch, the service's clock). */
  lastTouch: number;
}

/** The window a call comes from; calls without one share a source per transport. */
export function sourceOf(context: CallContext): string {
  return context.source ?? `${context.transport}:unnamed`;
}

export class KioskSessions {
  readonly #bySource = new Map<string, KioskSession>();

  get(source: string): KioskSession | null {
    return this.#bySource.get(source) ?? null;
  }

  put(session: KioskSession): void {
    this.#bySource.set(session.source, session);
  }

  /** Removes and returns the source's session (null when it had none). */
  take(source: string): KioskSession | null {
    const session = this.#bySource.get(source) ?? null;
    this.#bySource.delete(source);
    return session;
  }

  onReader(reader: string): KioskSession[] {
    return [...this.#bySource.values()].filter((session) => session.reader === reader);
  }

  all(): KioskSession[] {
    return [...this.#bySource.values()];
  }

  /** The holder signed in on this source (a begun session has not proved the PIN yet), or null. */
  signedInHolder(source: string): string | null {
    const session = this.#bySource.get(source);
    return session?.stage === 'signedIn' ? session.holderId : null;
  }
}
