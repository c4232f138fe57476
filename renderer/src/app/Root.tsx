import { useCallback, useEffect, useState } from 'react';
import { CssBaseline, ThemeProvider } from '@mui/material';
import { HashRouter } from 'react-router';
import type { AppInfo } from '@shared/schemas/app';
import type { ErrorCode } from '@shared/errors';
import { carddesk, errorCodeOf, unwrap } from '../api/carddesk';
import { theme } from '../theme/theme';
import { StartupScreen } from '../components/StartupScreen';
import { AppInfoContext } from './AppInfoContext';
import { DeskApp } from './DeskApp';
import { KioskApp } from './KioskApp';

type Startup = { state: 'loading' } | { state: 'ready'; info: AppInfo } | { state: 'failed'; code: ErrorCode };

/** Asks the services who we are (desk or kiosk, Electron or browser) and shows the matching app. */
export function Root() {
  const [startup, setStartup] = useState<Startup>({ state: 'loading' });

  const load = useCallback(() => {
    Promise.resolve()
      .then(() => unwrap(carddesk().app.info()))
      .then((info) => setStartup({ state: 'ready', info }))
      .catch((error: unknown) => setStartup({ state: 'failed', code: errorCodeOf(error) }));
  }, []);

  useEffect(load, [load]);

  const retry = (): void => {
    setStartup({ state: 'loading' });
    load();
  };

  return (
    <ThemeProvider theme={theme} noSsr>
      <CssBaseline />
      {startup.state === 'ready' ? (
        <AppInfoContext value={startup.info}>
          <HashRouter>{startup.info.surface === 'kiosk' ? <KioskApp /> : <DeskApp />}</HashRouter>
        </AppInfoContext>
      ) : (
        <StartupScreen failure={startup.state === 'failed' ? startup.code : null} onRetry={retry} />
      )}
    </ThemeProvider>
  );
}
