import { useEffect, useRef } from 'react';
import { carddesk } from '../../api/carddesk';

/**
 * Calls `onAppended` when new events reach the audit log, at most every `intervalMs` (a burst of
 * events becomes one refresh). The push event carries no events: the caller asks for what it shows.
 */
export function useAuditAppended(onAppended: () => void, intervalMs = 300): void {
  const latest = useRef(onAppended);
  useEffect(() => {
    latest.current = onAppended;
  });
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const unsubscribe = carddesk().audit.onAppended(() => {
      timer ??= setTimeout(() => {
        timer = null;
        latest.current();
      }, intervalMs);
    });
    return () => {
      unsubscribe();
      if (timer !== null) clearTimeout(timer);
    };
  }, [intervalMs]);
}
