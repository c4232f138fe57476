import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import type { OperatorSessionSummary } from '@shared/schemas/operators';
import { carddesk, unwrap } from '../../api/carddesk';

interface SessionApi {
  /** Null until the first answer. */
  readonly session: OperatorSessionSummary | null;
  readonly refresh: () => Promise<void>;
}

const SessionContext = createContext<SessionApi | null>(null);

export function useOperatorSession(): SessionApi {
  const api = useContext(SessionContext);
  if (api === null) throw new Error('useOperatorSession needs the OperatorSessionProvider');
  return api;
}

/**
 * The desk's operator session (issue 17 §2), as the core holds it: asked once, then followed
 * through `session:changed` (sign-in, sign-out, the idle time, the card leaving its reader).
 */
export function OperatorSessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<OperatorSessionSummary | null>(null);
  // Not a useCommand: the session is published to the whole desk as context; a failed read leaves the last known one.
  const refresh = useCallback(
    () =>
      unwrap(carddesk().session.current())
        .then(setSession)
        .catch(() => undefined),
    [],
  );
  useEffect(() => {
    const unsubscribe = carddesk().session.onChanged(setSession);
    void refresh();
    return unsubscribe;
  }, [refresh]);
  return <SessionContext.Provider value={{ session, refresh }}>{children}</SessionContext.Provider>;
}
