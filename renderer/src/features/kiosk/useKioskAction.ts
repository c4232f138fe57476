import { useCallback, useState } from 'react';
import type { Envelope } from '@shared/errors';
import type { KioskActionResult } from '@shared/schemas/kiosk';
import { errorCodeOf } from '../../api/carddesk';
import { useHolder } from './HolderContext';
import { isSessionEnded, useKioskFlow } from './KioskFlow';
import type { KioskProblem } from './KioskSignIn';

export type ActionState = { state: 'idle' } | { state: 'busy' } | { state: 'done' } | { state: 'refused'; problem: KioskProblem };

/**
 * Runs one kiosk action on the card or the CA and says how it ended. "Done" is shown only on the
 * services' answer: a card pulled half-way ends the session, and the page shows the welcome
 * screen, never a half-done action as done.
 */
export function useKioskAction(): { state: ActionState; run: (call: Promise<Envelope<KioskActionResult>>) => Promise<boolean>; reset: () => void } {
  const flow = useKioskFlow();
  const { setHome, reload } = useHolder();
  const [state, setState] = useState<ActionState>({ state: 'idle' });
  const { call } = flow;
  const run = useCallback(
    async (envelope: Promise<Envelope<KioskActionResult>>): Promise<boolean> => {
      setState({ state: 'busy' });
      try {
        const result = await call(envelope);
        if (result.ok) {
          if (result.home !== null) setHome(result.home);
          setState({ state: 'done' });
          return true;
        }
        setState({ state: 'refused', problem: { reason: result.reason, triesLeft: result.triesLeft } });
        // Asked for a code the page did not know of (enrolled at the desk meanwhile): the home says so now.
        if (result.reason === 'secondFactorWrong') reload();
      } catch (error) {
        if (!isSessionEnded(error)) setState({ state: 'refused', problem: { code: errorCodeOf(error) } });
      }
      return false;
    },
    [call, setHome, reload],
  );
  const reset = useCallback(() => setState({ state: 'idle' }), []);
  return { state, run, reset };
}
