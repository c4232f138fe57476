import { useEffect, useState } from 'react';
import { CssBaseline, ThemeProvider } from '@mui/material';
import { HashRouter } from 'react-router';
import type { AppInfo } from '@shared/schemas/app';
import { carddesk, unwrap } from '../api/carddesk';
import { theme } from '../theme/theme';
import { StartupScreen } from '../components/StartupScreen';
import { AppInfoContext } from './AppInfoContext';
import { useCommand } from './useCommand';
import { DeskApp } from './DeskApp';
import { KioskApp } from './KioskApp';

/** Asks the services who we are (desk or kiosk, Electron or browser) and shows the matching app. */
export function Root() {
  const [info, setInfo] = useState<AppInfo | null>(null);
  // i18n is ready before Root renders (main.tsx), so the start-up failure is translated too.
  const starting = useCommand(async () => setInfo(await unwrap(carddesk().app.info())));
  const start = starting.run;
  useEffect(() => {
    void start();
  }, [start]);

  return (
    <ThemeProvider theme={theme} noSsr>
      <CssBaseline />
      {info !== null ? (
        <AppInfoContext value={info}>
          <HashRouter>{info.surface === 'kiosk' ? <KioskApp /> : <DeskApp />}</HashRouter>
        </AppInfoContext>
      ) : (
        <StartupScreen failure={starting.error} onRetry={() => void start()} />
      )}
    </ThemeProvider>
  );
}
