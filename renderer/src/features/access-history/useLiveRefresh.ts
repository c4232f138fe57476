import { useEffect, useRef } from 'react';
import { carddesk } from '../../api/carddesk';

/**
 * Calls `onChange` when what the screens show may have changed: new events reached the audit log,
 * or (team mode, issue 18 §4) another station changed the vault's records. At most every
 * `intervalMs`: a burst becomes one refresh. The push events carry no data: the caller asks again.
 * With `elsewhereOnly`, only other stations' changes count (a list this station already refreshes
 * after its own commands).
 */
export function useLiveRefresh(onChange: () => void, options: { readonly intervalMs?: number; readonly elsewhereOnly?: boolean } = {}): void {
  const intervalMs = options.intervalMs ?? 300;
  const elsewhereOnly = options.elsewhereOnly === true;
  const latest = useRef(onChange);
  useEffect(() => {
    latest.current = onChange;
  });
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const schedule = (): void => {
      timer ??= setTimeout(() => {
        timer = null;
        latest.current();
      }, intervalMs);
    };
    const api = carddesk();
    const unsubscribe = [api.vault.onChangedElsewhere(schedule), ...(elsewhereOnly ? [] : [api.audit.onAppended(schedule)])];
    return () => {
      for (const stop of unsubscribe) stop();
      if (timer !== null) clearTimeout(timer);
    };
  }, [intervalMs, elsewhereOnly]);
}
