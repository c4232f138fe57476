import { createContext, use, useEffect, useMemo, useState, type ReactNode } from 'react';
import { Box, CircularProgress } from '@mui/material';
import { useTranslation } from 'react-i18next';
import type { KioskHome } from '@shared/schemas/kiosk';
import { carddesk } from '../../api/carddesk';
import { useKioskFlow } from './KioskFlow';

interface Holder {
  readonly home: KioskHome;
  /** A newer home from an action's answer or kiosk:home. */
  readonly setHome: (home: KioskHome) => void;
  /** Asks kiosk:home again. */
  readonly reload: () => void;
}

const HolderContext = createContext<Holder | null>(null);

export function useHolder(): Holder {
  const holder = use(HolderContext);
  if (holder === null) throw new Error('useHolder outside HolderProvider');
  return holder;
}

/**
 * The one place the signed-in holder's details live on the page. It sits under the home route:
 * when the session ends the route goes, and this state with it.
 */
export function HolderProvider({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const flow = useKioskFlow();
  const [home, setHome] = useState<KioskHome | null>(() => flow.takeHome());
  const { call } = flow;
  const [asked, setAsked] = useState(0);

  useEffect(() => {
    if (home !== null && asked === 0) return;
    let current = true;
    call(carddesk().kiosk.home())
      .then((value) => {
        if (current) setHome(value);
      })
      .catch(() => undefined);
    return () => {
      current = false;
    };
    // Asked again only on reload (asked), not whenever the home changes.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [asked, call]);

  const holder = useMemo<Holder | null>(() => (home === null ? null : { home, setHome, reload: () => setAsked((n) => n + 1) }), [home]);
  if (holder === null) {
    return (
      <Box role="status" sx={{ display: 'grid', placeItems: 'center' }}>
        <CircularProgress aria-label={t('common.loading')} />
      </Box>
    );
  }
  return <HolderContext value={holder}>{children}</HolderContext>;
}
