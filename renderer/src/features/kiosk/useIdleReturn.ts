import { useEffect, useState } from 'react';

/** Without a touch for this long a page used without a card goes back to the welcome, forgetting what was typed. */
export const IDLE_RETURN_MS = 120_000;

/**
 * Calls `leave` after IDLE_RETURN_MS without a touch; returns the handlers that count a touch
 * (spread them on the page's root element).
 */
export function useIdleReturn(leave: () => void): { onPointerDown: () => void; onKeyDown: () => void } {
  const [touched, setTouched] = useState(() => Date.now());
  useEffect(() => {
    const timer = setTimeout(leave, IDLE_RETURN_MS - (Date.now() - touched));
    return () => clearTimeout(timer);
  }, [touched, leave]);
  return { onPointerDown: () => setTouched(Date.now()), onKeyDown: () => setTouched(Date.now()) };
}
