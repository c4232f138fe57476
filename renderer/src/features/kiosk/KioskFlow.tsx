import { createContext, use, useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useNavigate } from 'react-router';
import type { Envelope } from '@shared/errors';
import type { KioskBeginResult, KioskHome, KioskStatus } from '@shared/schemas/kiosk';
import { ApiError, carddesk, unwrap } from '../../api/carddesk';

/** Why the welcome screen came back: the services' reasons, plus a call refused because the session was gone. */
export type EndReason = 'cardRemoved' | 'idle' | 'signedOut' | 'replaced' | 'sessionEnded';

type Begun = Extract<KioskBeginResult, { ok: true }> & { readonly reader: string };

export interface KioskFlow {
  /** kiosk:status, null until it answered (or when it failed). */
  readonly status: KioskStatus | null;
  readonly statusFailed: boolean;
  /** Asks kiosk:status again (on the welcome screen and with each card put in: Settings may have changed). */
  readonly refreshStatus: () => Promise<void>;
  /**
   * A session begun on a card, before sign-in: the reader and what comes next. No holder detail:
   * the services tell none before the PIN.
   */
  readonly begun: Begun | null;
  readonly started: (reader: string, result: Extract<KioskBeginResult, { ok: true }>) => void;
  /** The PIN was accepted: the home screen takes this home once (and it is forgotten here). */
  readonly signedIn: (home: KioskHome) => void;
  readonly takeHome: () => KioskHome | null;
  /** Why the last session ended, shown on the welcome screen for a few seconds. */
  readonly ended: { readonly reason: EndReason; readonly at: number } | null;
  /** Ends what the page holds of a session and returns to the welcome screen, replacing the history entry. */
  readonly endSession: (reason: EndReason) => void;
  /** Readers whose card was used already: the welcome screen waits for the card to be taken out first. */
  readonly spent: ReadonlySet<string>;
  readonly markSpent: (reader: string) => void;
  readonly forgetSpent: (reader: string) => void;
  /** Runs a kiosk call: unwraps it, and ends the session when the services say it is over. */
  readonly call: <T>(envelope: Promise<Envelope<T>>) => Promise<T>;
}

const FlowContext = createContext<KioskFlow | null>(null);

export function useKioskFlow(): KioskFlow {
  const flow = use(FlowContext);
  if (flow === null) throw new Error('useKioskFlow outside KioskFlowProvider');
  return flow;
}

/** The error code a kiosk call fails with once its session has ended (named in the kiosk contract). */
const SESSION_ENDED = 'SESSION_ENDED';

export function isSessionEnded(error: unknown): boolean {
  return error instanceof ApiError && (error.code as string) === SESSION_ENDED;
}

/** How long the "session ended" note stays on the welcome screen. */
export const ENDED_NOTE_MS = 8000;

/**
 * What the kiosk window knows between screens, before and around a holder's session. Holder
 * details never live here: the home route holds them (HolderProvider) and drops them with itself.
 */
export function KioskFlowProvider({ children }: { children: ReactNode }) {
  const navigate = useNavigate();
  const [status, setStatus] = useState<KioskStatus | null>(null);
  const [statusFailed, setStatusFailed] = useState(false);
  const [begun, setBegun] = useState<Begun | null>(null);
  const [ended, setEnded] = useState<KioskFlow['ended']>(null);
  const [spent, setSpent] = useState<ReadonlySet<string>>(new Set());
  const handoff = useRef<KioskHome | null>(null);
  const begunRef = useRef<Begun | null>(null);

  const refreshStatus = useCallback(
    (): Promise<void> =>
      Promise.resolve()
      .then(() => unwrap(carddesk().kiosk.status()))
      .then((value) => {
        setStatus(value);
        setStatusFailed(false);
      })
      .catch(() => {
        setStatus(null);
        setStatusFailed(true);
      }),
    [],
  );

  const markSpent = useCallback((reader: string) => setSpent((current) => (current.has(reader) ? current : new Set([...current, reader]))), []);
  const forgetSpent = useCallback(
    (reader: string) =>
      setSpent((current) => {
        if (!current.has(reader)) return current;
        const next = new Set(current);
        next.delete(reader);
        return next;
      }),
    [],
  );

  const endSession = useCallback(
    (reason: EndReason) => {
      handoff.current = null;
      const reader = begunRef.current?.reader;
      begunRef.current = null;
      setBegun(null);
      // The card still in the reader is not begun again by itself: the holder takes it out first.
      if (reader !== undefined && reason !== 'cardRemoved') markSpent(reader);
      setEnded({ reason, at: Date.now() });
      void navigate('/kiosk', { replace: true });
    },
    [navigate, markSpent],
  );

  useEffect(() => {
    const stop = carddesk().kiosk.onSessionEnded(({ reason }) => {
      // Only a session this page knows of: an event for one that never began here changes nothing on screen.
      if (begunRef.current !== null) endSession(reason);
    });
    return stop;
  }, [endSession]);

  const call = useCallback(
    async <T,>(envelope: Promise<Envelope<T>>): Promise<T> => {
      try {
        return await unwrap(envelope);
      } catch (error) {
        if (isSessionEnded(error)) endSession('sessionEnded');
        throw error;
      }
    },
    [endSession],
  );

  const flow = useMemo<KioskFlow>(
    () => ({
      status,
      statusFailed,
      refreshStatus,
      begun,
      started: (reader, result) => {
        const value = { ...result, reader };
        begunRef.current = value;
        setBegun(value);
        setEnded(null);
      },
      signedIn: (home) => {
        handoff.current = home;
      },
      takeHome: () => {
        const home = handoff.current;
        handoff.current = null;
        return home;
      },
      ended,
      endSession,
      spent,
      markSpent,
      forgetSpent,
      call,
    }),
    [status, statusFailed, refreshStatus, begun, ended, endSession, spent, markSpent, forgetSpent, call],
  );

  return <FlowContext value={flow}>{children}</FlowContext>;
}
